// Entry point of the freight_sync_web bundle: each import registers its components.
export { MilestoneTimeline, milestoneTimelineField } from "./timeline/milestone_timeline";
export { buildTimeline } from "./timeline/timeline_model";
export { UploadProgress, uploadProgressField } from "./upload/upload_progress";
export { ExceptionKanbanRecord, exceptionKanbanView } from "./exceptions/exception_kanban";
export { FreightDashboard } from "./dashboard/freight_dashboard";
export { Workbench } from "./workbench/workbench";
export { RateShopPanel, rateShopWidget } from "./rate_shop/rate_shop_panel";
export { CarrierScorecard } from "./scorecard/carrier_scorecard";
