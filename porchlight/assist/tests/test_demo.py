"""The demo: an approved request with shares (one in evidence), a withdrawn share, a request
waiting for approval, and the public log showing them. Seeded once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from porchlight.alerts import demo as alerts_demo
from porchlight.assist import demo
from porchlight.assist.models import AssistanceRequest, Share, Status
from porchlight.community import demo as community_demo
from porchlight.demo import addresses


@pytest.mark.django_db
def test_the_demo_shows_every_part_of_the_feature(agency: Any, media_storage: Path) -> None:
    addresses.seed(agency)
    community_demo.seed(agency)
    alerts_demo.seed(agency)
    assert demo.seed(agency) == 2
    assert demo.seed(agency) == 0  # idempotent
    sent = AssistanceRequest.objects.get(status=Status.SENT)
    assert sent.residents_notified >= 1 and sent.shares_received == 3
    assert sent.approved_by != sent.created_by
    assert AssistanceRequest.objects.filter(status=Status.PENDING).count() == 1
    shares = Share.objects.filter(request=sent)
    assert shares.filter(taken_into_evidence_at__isnull=False).count() == 1
    assert shares.filter(withdrawn_at__isnull=False).count() == 1
    for share in shares.filter(withdrawn_at__isnull=True):
        assert share.files.get().media_file.original_intact()
    page = Client().get(f"/assist/{agency.slug}/").content.decode()
    assert "Residential burglary" in page and "Vehicle tampering" in page
