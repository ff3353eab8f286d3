from odoo.tests import BaseCase, tagged

from ..services.log_hygiene import BAD_QUERY, WITHHELD, statement_head, withhold_values


class Diag:
    table_name, column_name = "freight_invoice", None
    constraint_name = "freight_invoice_identity_unique"


class UniqueViolation(Exception):
    pgcode = "23505"
    diag = Diag()


@tagged("freight_sync", "freight_pure")
class TestLogHygiene(BaseCase):
    def test_the_statement_is_named_by_its_verb_and_table(self):
        for query, head in (
                ('INSERT INTO "freight_invoice" ("name") VALUES (\'sent from ACME\')',
                 "INSERT INTO freight_invoice"),
                ("UPDATE freight_invoice_line AS l SET a = v.a FROM unnest('{1}')",
                 "UPDATE freight_invoice_line"),
                ('  delete from freight_x where id = 1', "DELETE FROM freight_x"),
                ('SELECT "m"."id" FROM "freight_message" AS m WHERE x = 1',
                 "SELECT … FROM freight_message"),
                # a literal before the FROM could be a value: nothing is named
                ("SELECT 'sent from ACME' FROM x", "a statement"),
                (b"WITH t AS (SELECT 1) UPDATE x SET y = 'z'", "a statement")):
            with self.subTest(query=query):
                self.assertEqual(statement_head(query), head)

    def test_the_error_keeps_its_code_and_constraint_not_its_text(self):
        error = UniqueViolation('duplicate key value violates unique constraint\n'
                                'DETAIL:  Key (name)=(INV-SECRET) already exists.')
        msg, args = withhold_values(BAD_QUERY, ("INSERT INTO freight_invoice VALUES "
                                                "('INV-SECRET')", error))
        line = msg % args
        self.assertEqual(msg, WITHHELD)
        self.assertNotIn("SECRET", line)
        self.assertEqual(line, "bad query: INSERT INTO freight_invoice (values withheld)\n"
                               "ERROR: UniqueViolation (SQLSTATE 23505, table "
                               "freight_invoice, constraint freight_invoice_identity_unique)")
        # not a database error, or not Odoo's failed statement: as it was
        self.assertEqual(withhold_values(BAD_QUERY, ("UPDATE x SET y = 1", ValueError("v")))[1],
                         ("UPDATE x", "ValueError"))
        self.assertEqual(withhold_values("pool %s", ("kept",)), ("pool %s", ("kept",)))
