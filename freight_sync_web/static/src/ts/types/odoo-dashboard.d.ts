// What the freight dashboard uses beyond odoo-web.d.ts: Odoo's asset loader, the user's
// context, and the slice of Chart.js 4.3 (the global Odoo's "web.chartjs_lib" bundle sets).

declare module "@web/core/assets" {
    export function loadBundle(name: string): Promise<void>;
}

declare module "@web/core/utils/hooks" {
    export interface UserService {
        context: Record<string, unknown>;
        lang: string;
    }
}

interface FreightChartElement {
    datasetIndex: number;
    index: number;
}

interface FreightChartInstance {
    options: { onClick?: (event: unknown, elements: FreightChartElement[]) => void };
    destroy(): void;
}

declare const Chart: {
    new (canvas: HTMLCanvasElement, config: object): FreightChartInstance;
    getChart(canvas: HTMLCanvasElement): FreightChartInstance | undefined;
};
