from odoo.tests import BaseCase, tagged

from ..services.rate_limit import Bucket, Limiter, refill, retry_after, take


@tagged("freight_sync", "post_install", "-at_install")
class TestRateLimit(BaseCase):
    def test_burst_then_refusal(self):
        bucket, answers = None, []
        for _request in range(4):
            wait, bucket = take(bucket, 100.0, 1.0, 3)
            answers.append(wait)
        # a new sender starts with a full bucket: three at once, the fourth waits
        self.assertEqual(answers, [0, 0, 0, 1])

    def test_refill_is_capped_by_burst(self):
        self.assertEqual(refill(Bucket(0.0, 0.0), 2.5, 2.0, 10), 5.0)
        self.assertEqual(refill(Bucket(0.0, 0.0), 3600.0, 2.0, 10), 10.0)
        # a clock that went back neither refills nor empties
        self.assertEqual(refill(Bucket(4.0, 10.0), 5.0, 2.0, 10), 4.0)

    def test_refused_request_takes_nothing(self):
        wait, bucket = take(Bucket(0.5, 0.0), 0.0, 1.0, 5)
        self.assertEqual((wait, bucket.tokens), (1, 0.5))
        wait, bucket = take(bucket, 0.5, 1.0, 5)
        self.assertEqual((wait, bucket.tokens), (0, 0.0))

    def test_retry_after_rounds_up_to_whole_seconds(self):
        self.assertEqual(retry_after(0.0, 1.0), 1)
        self.assertEqual(retry_after(0.0, 0.1), 10)
        self.assertEqual(retry_after(0.0, 0.3), 4)  # 3.33 s
        self.assertEqual(retry_after(0.95, 1.0), 1)  # 0.05 s: never "0"
        self.assertEqual(retry_after(0.0, 50.0), 1)
        # a float error just above a whole number does not add a second
        self.assertEqual(retry_after(1.0 - 0.7, 0.1), 7)

    def test_zero_rate_is_unlimited(self):
        self.assertEqual(take(Bucket(0.0, 0.0), 0.0, 0.0, 0), (0, Bucket(0.0, 0.0)))

    def test_limiter_keeps_senders_apart(self):
        now = [0.0]
        limiter = Limiter(lambda: now[0])
        self.assertEqual([limiter.take("a", 1.0, 2) for _r in range(3)], [0, 0, 1])
        self.assertEqual(limiter.take("b", 1.0, 2), 0)
        now[0] = 1.0
        self.assertEqual(limiter.take("a", 1.0, 2), 0)
        self.assertEqual(limiter.take("a", 0.0, 2), 0)
