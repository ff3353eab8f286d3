// Node stand-in for Odoo's @web/core/l10n/translation: the English source is the translation.
export function _t(term: string): string {
    return term;
}
