// Odoo's action hook, used by client actions to keep their state across breadcrumbs.
declare module "@web/webclient/actions/action_hook" {
    export function useSetupAction(params: {
        getLocalState?: () => Record<string, unknown>;
        getGlobalState?: () => Record<string, unknown>;
        beforeLeave?: () => unknown;
    }): void;
}
