// The one import of Odoo's _t in the bundle: esbuild renames a second import of the same
// name (_t2), and Odoo's term extractor only finds calls spelled _t("...").
export { _t } from "@web/core/l10n/translation";
