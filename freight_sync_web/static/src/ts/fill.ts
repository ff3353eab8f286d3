/** A translated phrase with its `%s` filled in, in order (as Odoo's _t does with values). */
export function fill(template: string, ...values: (string | number)[]): string {
    let index = 0;
    return String(template).replace(/%s/g, () => String(values[index++] ?? ""));
}
