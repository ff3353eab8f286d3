import { _t } from "../i18n";

/**
 * Every phrase the workbench shows, in the user's language. Called when the screen opens
 * (translations are loaded by then); `%s` marks where workbench_model.fill() puts a value.
 * Node unit tests run it with an identity _t, so they read the English source.
 */
export function workbenchWords() {
    return {
        states: {
            received: _t("Received"), audited: _t("Audited"), exception: _t("Exception"),
            disputed: _t("Disputed"), approved: _t("Approved"), posted: _t("Posted"),
            paid: _t("Paid"), superseded: _t("Replaced"), rejected: _t("Rejected"), cancelled: _t("Cancelled"),
        } as Record<string, string>,
        sorts: {
            "date desc": _t("Newest first"), "date asc": _t("Oldest first"),
            "variance desc": _t("Largest variance"), "amount desc": _t("Largest amount"),
            "carrier asc": _t("Carrier"),
        } as Record<string, string>,
        decisions: {
            ok: _t("Within policy"), under: _t("Under-billed"), over: _t("Over tolerance"),
            review: _t("To review"), unmatched: _t("Not matched"), unpriced: _t("Expected unknown"),
        } as Record<string, string>,
        actions: {
            approve: _t("Approve"), override: _t("Approve with override"), short_pay: _t("Short-pay"),
            dispute: _t("Dispute"), reject: _t("Reject"), reaudit: _t("Audit again"),
        },
        done: {
            approve: _t("%s approved."), override: _t("%s approved with override."),
            short_pay: _t("%s short-paid: the bill is for the amount to pay."),
            dispute: _t("%s disputed: waiting on the carrier."), reject: _t("%s rejected."),
            reaudit: _t("%s audited again with today's evidence."),
        },
        shortcuts: [
            ["j / k", _t("next / previous invoice")],
            ["a", _t("approve the selected invoice")],
            ["d", _t("dispute the selected invoice")],
            ["s", _t("accept the suggested resolution")],
            ["/", _t("search by invoice number or any reference")],
            ["?", _t("show these shortcuts")],
            ["Esc", _t("close this help, leave the search field")],
        ] as [string, string][],
        chooseReason: _t("Choose why you dispute it."),
        sayWhy: _t("Say why: the reason is kept with the invoice."),
        amountToPay: _t("The amount to pay must be more than 0.00 and at most the %s billed."),
        noExpectation: _t("no expectation"),
        asExpected: _t("as expected"),
        overBy: _t("over by %s"),
        underBy: _t("under by %s"),
        approvedCount: _t("%s approved"),
        approvedAndSkipped: _t("%s approved, %s skipped"),
        bulkDone: _t("Bulk approval: %s."),
        notSent: _t("%s: not sent"),
        title: _t("Workbench"),
        disputeStates: {
            draft: _t("Draft"), sent: _t("Sent"), overdue: _t("Overdue"), closed: _t("Closed"),
        } as Record<string, string>,
        overdueEscalated: _t("Overdue — escalated"),
        previewFirst: _t("Preview the packet first: it is what the carrier receives."),
        noChannel: _t("No way to send it: the carrier has no billing contact with an email and no endpoint that takes dispute packets."),
        alreadySent: _t("The packet was already sent to the carrier."),
        chooseChannel: _t("Choose at least one way to send it."),
        channelEmail: _t("Email to %s"),
        channelEmailNoAddress: _t("Email to the billing contact"),
        channelEndpoint: _t("Through the endpoint %s"),
        channelEndpointNoName: _t("Through the carrier's endpoint"),
        packetSent: _t("Dispute packet sent to %s."),
        theCarrier: _t("the carrier"),
        suggestionDone: _t("%s: %s — done."),
        similarAgreeing: _t("%s of %s similar cases ended this way"),
        medianRecovery: _t("median recovery %s"),
        disputeBy: _t("Dispute by %s"),
        windowUrgent: _t("Urgent"),
        windowLapsed: _t("Window lapsed"),
        windowDaysLeft: _t("%s days left to send the dispute"),
        windowOneDayLeft: _t("1 day left to send the dispute"),
        windowLastDay: _t("last day to send the dispute"),
        windowLapsedAgo: _t("the carrier's dispute window closed %s day(s) ago: the money is lost unless it takes the dispute"),
    };
}

export type Words = ReturnType<typeof workbenchWords>;
