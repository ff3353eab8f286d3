import { Component, markRaw, onWillStart, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { registry } from "@web/core/registry";
import { useService, type NotificationService, type Rpc, type UserService } from "@web/core/utils/hooks";
import { CARRIERS_ROUTE, DashboardChart } from "../dashboard/freight_dashboard";
import type { ChartSpec } from "../dashboard/dashboard_model";
import { serverMessage } from "../server_error";
import { carrierViews, MONTH_CHOICES, routeParams, type CarrierView, type ScorecardAnswer } from "./scorecard_model";
import { scorecardWords, type ScorecardWords } from "./words";

export const SCORECARD_ROUTE = "/freight_sync/ui/v1/scorecard";

type ScreenView = CarrierView & { spec: ChartSpec };

/** The view as the dashboard's chart component draws it: no drill-down here. Built once
 * per load: a new spec object redraws the chart. */
function withSpec(view: CarrierView): ScreenView {
    return { ...view, spec: { key: String(view.carrierId), title: view.name, config: view.chart, drills: [], empty: view.empty } };
}

interface ClientActionProps {
    action?: { context?: Record<string, unknown> };
}

/** Client action freight_sync_web.carrier_scorecard: per carrier, the four scorecard
 * figures per month (Chart.js, drawn by the dashboard's chart component) and the counts
 * behind each percentage. */
export class CarrierScorecard extends Component<ClientActionProps> {
    static override template = "freight_sync_web.CarrierScorecard";
    static components = { DashboardChart };
    static override props = ["*"];

    private rpc!: Rpc;
    private notification!: NotificationService;
    private user!: UserService;
    words!: ScorecardWords;
    monthChoices = MONTH_CHOICES;
    state!: {
        views: ScreenView[] | null; loading: boolean; carrierId: number | null; months: number;
        carriers: [number, string][]; error: string;
    };

    override setup(): void {
        this.rpc = useService("rpc");
        this.notification = useService("notification");
        this.user = useService("user");
        this.words = scorecardWords();
        const carrier = Number(this.props.action?.context?.carrier_id) || null;
        this.state = useState({ views: null, loading: true, carrierId: carrier, months: 6, carriers: [], error: "" });
        onWillStart(async () => {
            await Promise.all([loadBundle("web.chartjs_lib"), this.loadCarriers()]);
            await this.load();
        });
    }

    async load(): Promise<void> {
        this.state.loading = true;
        try {
            const answer = await this.rpc<ScorecardAnswer>(SCORECARD_ROUTE, routeParams(this.state));
            const locale = (this.user.lang || "en_US").replace("_", "-");
            // raw: Chart.js writes into its configuration, which must not re-render the action
            this.state.views = markRaw(carrierViews(answer, this.words, locale).map(withSpec));
            this.state.error = "";
        } catch (error) {
            this.state.error = serverMessage(error, this.words.notLoaded);
            this.notification.add(this.state.error, { type: "danger", title: this.words.title });
        } finally {
            this.state.loading = false;
        }
    }

    /** The carrier selector's choices; without them the screen still shows every carrier. */
    async loadCarriers(): Promise<void> {
        try {
            this.state.carriers = await this.rpc<[number, string][]>(CARRIERS_ROUTE, {});
        } catch {
            this.state.carriers = [];
        }
    }

    setCarrier(value: string): Promise<void> {
        this.state.carrierId = Number(value) || null;
        return this.load();
    }

    setMonths(value: string): Promise<void> {
        this.state.months = Number(value) || 6;
        return this.load();
    }

    noop(): void {}
}

registry.category("actions").add("freight_sync_web.carrier_scorecard", CarrierScorecard);
