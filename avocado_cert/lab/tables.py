"""The lab's tables, beside the catalog's (migration 0004): lab hosts and certification requests
with their live progress."""

import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from avocado_cert.catalog.models import Account, Base, Product, Vendor, now

# Where a request is: queued -> running -> done | failed; queued or running -> cancelled.
QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
CANCELLED = "cancelled"
STATES = (QUEUED, RUNNING, DONE, FAILED, CANCELLED)
ACTIVE = (QUEUED, RUNNING)


def precise_now():
    """Run start and end times keep their microseconds: the host's runs are checked not to overlap."""
    return datetime.datetime.now(datetime.timezone.utc)


class LabHost(Base):
    """A machine with libvirt the lab certifies on, as `avocado cert lab register` found it."""

    __tablename__ = "lab_host"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    uri: Mapped[str] = mapped_column(String(300))
    arch: Mapped[str] = mapped_column(String(32), index=True)
    driver: Mapped[str] = mapped_column(String(32))
    inventory: Mapped[str] = mapped_column(Text)  # the whole inventory document, as JSON
    registered_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    last_seen: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)


class LabRequest(Base):
    """One request to certify a product version on a lab host, and where its run is."""

    __tablename__ = "lab_request"
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(64))
    profile: Mapped[str] = mapped_column(String(64))
    criteria: Mapped[str] = mapped_column(String(32), default="")  # empty: the profile's own
    requirements: Mapped[str] = mapped_column(Text, default="{}")  # {arch, driver, ...} as JSON
    host_id: Mapped[int] = mapped_column(ForeignKey("lab_host.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)  # runs started; the newest owns progress
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    area: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    log: Mapped[str] = mapped_column(Text, default="")  # the job log's tail when a run failed
    certification_id: Mapped[int | None] = mapped_column(
        ForeignKey("certification.id", ondelete="SET NULL"), nullable=True
    )
    queue_job: Mapped[int | None] = mapped_column(Integer, nullable=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    started_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    host: Mapped[LabHost] = relationship()
    vendor: Mapped[Vendor] = relationship()
    product: Mapped[Product] = relationship()
    account: Mapped[Account | None] = relationship()
