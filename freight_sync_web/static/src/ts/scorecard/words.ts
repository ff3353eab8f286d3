import { _t } from "../i18n";

/** The carrier scorecard's phrases, in the user's language; `%s` is filled by fill().
 * Figures mirror freight_sync/services/scorecard.py's FIGURES. */
export function scorecardWords() {
    return {
        title: _t("Carrier scorecard"),
        figures: {
            on_time: _t("On time"), invoice_accuracy: _t("Invoice accuracy"),
            dispute_win: _t("Dispute win rate"), tender_acceptance: _t("Tender acceptance"),
        } as Record<string, string>,
        ofCount: _t("%s of %s"),
        total: _t("Total"),
        monthsLabel: _t("Last %s months"),
        chartLabel: _t("%s: the four figures per month, in percent"),
        notLoaded: _t("The scorecard could not be loaded."),
    };
}

export type ScorecardWords = ReturnType<typeof scorecardWords>;
