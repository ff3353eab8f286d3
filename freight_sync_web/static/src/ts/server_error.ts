/** The server's own words (a UserError's message) when there are some, else `fallback`.
 * Shared by every screen that shows a refused call as a notification. */
export function serverMessage(error: unknown, fallback: string): string {
    if (error && typeof error === "object") {
        const { data, message } = error as { data?: { message?: unknown }; message?: unknown };
        if (typeof data?.message === "string" && data.message) {
            return data.message;
        }
        if (typeof message === "string" && message) {
            return message;
        }
    }
    return typeof error === "string" && error ? error : fallback;
}
