import { Component, markRaw, onWillStart, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { registry } from "@web/core/registry";
import { useService, type ActionService, type NotificationService, type Rpc, type UserService } from "@web/core/utils/hooks";
import {
    chartSpecs, drillAction, drillAt, errorMessage, kpiCards, routeParams,
    type ChartSpec, type DashboardAnswer, type Drill, type KpiCard,
} from "./dashboard_model";
import { disputeChartSpec, disputeRows, type DisputeRow } from "./disputes_model";
import { healthPanel, type HealthPanel } from "./health_model";
import { dashboardWords, type DashboardWords } from "./words";

export const DASHBOARD_ROUTE = "/freight_sync/ui/v1/dashboard";
export const CARRIERS_ROUTE = "/freight_sync/ui/v1/carriers";

interface ChartProps {
    spec: ChartSpec;
    onPoint: (drill: Drill) => void;
}

/** One Chart.js canvas; a click on a bar or point opens what it counts. */
export class DashboardChart extends Component<ChartProps> {
    static override template = "freight_sync_web.DashboardChart";
    static override props = { spec: Object, onPoint: Function };

    override setup(): void {
        const canvas = useRef<HTMLCanvasElement>("canvas");
        useEffect(
            (spec: ChartSpec) => {
                if (!canvas.el) {
                    return;
                }
                const chart = new Chart(canvas.el, {
                    ...spec.config,
                    options: {
                        ...spec.config.options,
                        onClick: (_event: unknown, elements: { datasetIndex: number; index: number }[]) => {
                            const [element] = elements;
                            const drill = element ? drillAt(spec, element.datasetIndex, element.index) : null;
                            if (drill) {
                                this.props.onPoint(drill);
                            }
                        },
                    },
                });
                return () => chart.destroy();
            },
            () => [this.props.spec],
        );
    }
}

interface DashboardView {
    answer: DashboardAnswer;
    cards: KpiCard[];
    charts: ChartSpec[];
    disputes: { chart: ChartSpec; rows: DisputeRow[] } | null;
    health: HealthPanel | null;
}

interface ClientActionProps {
    action?: { context?: Record<string, unknown> };
}

/** Client action freight_sync_web.dashboard: KPI cards and charts of freight billing. */
export class FreightDashboard extends Component<ClientActionProps> {
    static override template = "freight_sync_web.FreightDashboard";
    static components = { DashboardChart };
    static override props = ["*"];

    private rpc!: Rpc;
    private actionService!: ActionService;
    private notification!: NotificationService;
    private user!: UserService;
    words!: DashboardWords;
    state!: {
        view: DashboardView | null; loading: boolean; dateFrom: string; dateTo: string; carrierId: number | null;
        carriers: [number, string][];
    };

    override setup(): void {
        this.rpc = useService("rpc");
        this.actionService = useService("action");
        this.notification = useService("notification");
        this.user = useService("user");
        this.words = dashboardWords();
        const carrier = Number(this.props.action?.context?.carrier_id) || null;
        this.state = useState({ view: null, loading: true, dateFrom: "", dateTo: "", carrierId: carrier, carriers: [] });
        onWillStart(async () => {
            await Promise.all([loadBundle("web.chartjs_lib"), this.loadCarriers()]);
            await this.load();
        });
    }

    async load(): Promise<void> {
        this.state.loading = true;
        try {
            const answer = await this.rpc<DashboardAnswer>(DASHBOARD_ROUTE, {
                ...routeParams(this.state),
                context: this.user.context,
            });
            // raw: Chart.js writes into its configuration, which must not re-render the action
            const locale = (this.user.lang || "en_US").replace("_", "-");
            this.state.view = markRaw({
                answer, cards: kpiCards(this.words, answer), charts: chartSpecs(this.words, answer, locale),
                disputes: answer.disputes ? {
                    chart: disputeChartSpec(this.words, answer.disputes, locale), rows: disputeRows(this.words, answer.disputes),
                } : null,
                health: healthPanel(this.words, answer.health),
            });
            this.state.dateFrom = answer.period.date_from;
            this.state.dateTo = answer.period.date_to;
        } catch (error) {
            this.notification.add(errorMessage(this.words, error), { type: "danger", title: this.words.title });
        } finally {
            this.state.loading = false;
        }
    }

    /** The carrier filter's choices; without them the dashboard still works, for all carriers. */
    async loadCarriers(): Promise<void> {
        try {
            this.state.carriers = await this.rpc<[number, string][]>(CARRIERS_ROUTE, {});
        } catch {
            this.state.carriers = [];
        }
    }

    setCarrier(value: string): void {
        this.state.carrierId = Number(value) || null;
    }

    openDrill(drill: Drill): Promise<void> {
        return this.actionService.doAction(drillAction(drill));
    }
}

registry.category("actions").add("freight_sync_web.dashboard", FreightDashboard);
