import { _t } from "../i18n";

/** The rate-shop panel's phrases, in the user's language; `%s` is filled by fill(). Figure
 * labels mirror freight_sync/services/scorecard.py's FIGURES. */
export function rateShopWords() {
    return {
        title: _t("Rate shop"),
        sorts: {
            cost: _t("Cost"), speed: _t("Speed"), best_value: _t("Best value"),
        } as Record<string, string>,
        parts: {
            cost: _t("Cost"), transit: _t("Transit days"), on_time: _t("On time"),
            invoice_accuracy: _t("Invoice accuracy"), dispute_win: _t("Dispute win rate"),
            tender_acceptance: _t("Tender acceptance"),
        } as Record<string, string>,
        notes: {
            cheapest: _t("cheapest"), fastest: _t("fastest"), minimum: _t("minimum charge applies"),
            noTransit: _t("no transit time in the contract (half marks)"),
            noHistory: _t("no history for %s (half marks)"),
        },
        days: _t("%s days"),
        oneDay: _t("1 day"),
        notStated: _t("not stated"),
        linehaul: _t("Linehaul"),
        fuel: _t("Fuel"),
        accessorial: _t("Accessorials"),
        partLine: _t("%s: %s points of %s"),
        scoreOf: _t("Best value %s of 100"),
        suggested: _t("Suggested"),
        current: _t("Current carrier"),
        tableLabel: _t("Carrier quotes sorted by %s. Arrow keys move, Enter chooses, 1, 2, 3 change the sort."),
        chosen: _t("%s chosen, expected %s."),
        tendered: _t("Tender to %s: %s."),
        notLoaded: _t("The quotes could not be loaded."),
        notChosen: _t("The carrier could not be chosen."),
        notTendered: _t("The shipment could not be tendered."),
        saveFirst: _t("Save the shipment to see carrier quotes."),
        acceptSuggestion: _t("Accept suggestion"),
        acceptAndTender: _t("Accept and tender"),
        chooseLabel: _t("Choose %s"),
        chooseTenderLabel: _t("Choose %s and tender"),
        keyHint: _t("Key %s"),
    };
}

export type RateShopWords = ReturnType<typeof rateShopWords>;
