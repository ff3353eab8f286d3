// The few @web APIs this bundle uses, declared by hand: Odoo ships them as JS modules that
// the asset bundler resolves at run time (esbuild leaves "@web/*" imports external).

declare module "@web/core/registry" {
    interface Category<T = unknown> {
        add(key: string, value: T, options?: { force?: boolean; sequence?: number }): Category<T>;
        get(key: string): T;
        contains(key: string): boolean;
    }
    export const registry: { category<T = unknown>(name: string): Category<T> };
}

declare module "@web/views/fields/standard_field_props" {
    // OWL prop descriptors: { id: { type: String, optional: true }, name: { type: String }, … }
    export const standardFieldProps: {
        [prop: string]: { type: StringConstructor | BooleanConstructor | ObjectConstructor; optional?: boolean };
    };
}

declare module "@web/core/utils/hooks" {
    export interface OrmService {
        call<T = unknown>(model: string, method: string, args?: unknown[], kwargs?: object): Promise<T>;
    }
    export interface UserService {
        hasGroup(group: string): Promise<boolean>;
    }
    export function useService(name: "orm"): OrmService;
    export function useService(name: "user"): UserService;
}

declare module "@web/core/browser/browser" {
    // Odoo's indirection over window, so tests can patch timers
    export const browser: {
        setInterval(handler: () => void, ms: number): number;
        clearInterval(id: number): void;
    };
}

declare module "@web/core/l10n/translation" {
    export function _t(text: string, ...values: unknown[]): string;
}

declare module "@web/core/utils/hooks" {
    export type Rpc = <T = unknown>(route: string, params?: Record<string, unknown>) => Promise<T>;
    export interface NotificationService {
        add(message: string, options?: { type?: "info" | "success" | "warning" | "danger"; title?: string; sticky?: boolean }): () => void;
    }
    export interface RouterService {
        current: { hash: Record<string, string | undefined> };
        pushState(hash: Record<string, string | undefined>, options?: { replace?: boolean }): void;
    }
    export interface ActionService {
        doAction(action: Record<string, unknown> | string, options?: Record<string, unknown>): Promise<void>;
    }
    export function useService(name: "rpc"): Rpc;
    export function useService(name: "notification"): NotificationService;
    export function useService(name: "router"): RouterService;
    export function useService(name: "action"): ActionService;
}
