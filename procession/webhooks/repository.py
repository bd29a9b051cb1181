"""Webhook statements."""

from collections import defaultdict

from sqlalchemy import select

from procession.db.repository import AnySelect, Repository
from procession.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookRepository(Repository[WebhookEndpoint]):
    model = WebhookEndpoint
    resource = "Webhook"

    def deliveries(self, endpoint_id: str) -> AnySelect:
        """The endpoint's deliveries, newest first."""
        return (
            select(WebhookDelivery)
            .where(
                WebhookDelivery.org_id == self.org_id, WebhookDelivery.endpoint_id == endpoint_id
            )
            .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        )

    async def delivery(
        self, endpoint_id: str, delivery_id: str, *, for_update: bool = False
    ) -> WebhookDelivery | None:
        stmt = self.deliveries(endpoint_id).where(WebhookDelivery.id == delivery_id)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self.session.scalars(stmt)).one_or_none()

    async def attempts_of(self, delivery_ids: list[str]) -> dict[str, list[WebhookAttempt]]:
        """Every attempt of these deliveries, oldest first, in one query."""
        found: dict[str, list[WebhookAttempt]] = defaultdict(list)
        if delivery_ids:
            stmt = (
                select(WebhookAttempt)
                .where(WebhookAttempt.delivery_id.in_(delivery_ids))
                .order_by(WebhookAttempt.attempted_at, WebhookAttempt.id)
            )
            for attempt in await self.session.scalars(stmt):
                found[attempt.delivery_id].append(attempt)
        return found
