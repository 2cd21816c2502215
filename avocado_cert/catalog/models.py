"""The catalog's tables: the test register (vendors, keys, products, versions, certification requests),
accounts and API tokens, the published configuration, stored bundles and the results read from them."""

import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Where a certification request is: register -> submitted -> verified -> published, or rejected.
REGISTERED = "registered"
SUBMITTED = "submitted"
VERIFIED = "verified"
PUBLISHED = "published"
REJECTED = "rejected"
STATUSES = (REGISTERED, SUBMITTED, VERIFIED, PUBLISHED, REJECTED)
OPEN_STATUSES = (REGISTERED,)


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


class Base(DeclarativeBase):
    pass


class Vendor(Base):
    __tablename__ = "vendor"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    keys: Mapped[list["VendorKey"]] = relationship(back_populates="vendor", order_by="VendorKey.id")
    products: Mapped[list["Product"]] = relationship(back_populates="vendor", order_by="Product.slug")


class VendorKey(Base):
    """A vendor's registered Ed25519 signing key: only the public half is ever stored."""

    __tablename__ = "vendor_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    key_id: Mapped[str] = mapped_column(String(64), unique=True)
    public_pem: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The community lab's key: the only kind that may sign a "centralized" run (offline.origin).
    lab: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    vendor: Mapped[Vendor] = relationship(back_populates="keys")


class Account(Base):
    __tablename__ = "account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    vendor: Mapped[Vendor | None] = relationship()


class ApiToken(Base):
    """An API token for the command line: stored as its SHA-256 (tokens are 256-bit random)."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    account: Mapped[Account] = relationship()


class Product(Base):
    __tablename__ = "product"
    __table_args__ = (UniqueConstraint("vendor_id", "slug"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    vendor_id: Mapped[int] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    vendor: Mapped[Vendor] = relationship(back_populates="products")
    versions: Mapped[list["ProductVersion"]] = relationship(
        back_populates="product", order_by="ProductVersion.id", cascade="all, delete-orphan"
    )


class ProductVersion(Base):
    __tablename__ = "product_version"
    __table_args__ = (UniqueConstraint("product_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    product: Mapped[Product] = relationship(back_populates="versions")
    certifications: Mapped[list["Certification"]] = relationship(
        back_populates="product_version", order_by="Certification.id", cascade="all, delete-orphan"
    )


class Bundle(Base):
    """A stored bundle; its SHA-256 makes uploading the same bundle twice a no-op."""

    __tablename__ = "bundle"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    storage_name: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Certification(Base):
    """One certification request of a product version, and once verified, what its bundle showed."""

    __tablename__ = "certification"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_version_id: Mapped[int] = mapped_column(
        ForeignKey("product_version.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=REGISTERED, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    updated_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)
    published_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    bundle_id: Mapped[int | None] = mapped_column(ForeignKey("bundle.id"), nullable=True, unique=True)
    # What the verified bundle says (empty until verified).
    verdict: Mapped[str] = mapped_column(String(16), default="")
    profiles: Mapped[str] = mapped_column(String(300), default="")
    criteria_version: Mapped[str] = mapped_column(String(32), default="")
    criteria_sha256: Mapped[str] = mapped_column(String(64), default="")
    suite_version: Mapped[str] = mapped_column(String(32), default="")
    suite_sha256: Mapped[str] = mapped_column(String(64), default="")
    driver: Mapped[str] = mapped_column(String(100), default="", index=True)
    arch: Mapped[str] = mapped_column(String(100), default="")
    libvirt_version: Mapped[str] = mapped_column(String(100), default="")
    hypervisor_version: Mapped[str] = mapped_column(String(100), default="")
    job_id: Mapped[str] = mapped_column(String(64), default="")
    scored_on: Mapped[str] = mapped_column(String(10), default="")
    tests: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[int] = mapped_column(Integer, default=0)
    verification: Mapped[str] = mapped_column(Text, default="")  # the rules, as JSON
    origin_mode: Mapped[str] = mapped_column(String(16), default="offline", server_default="offline")
    product_version: Mapped[ProductVersion] = relationship(back_populates="certifications")
    bundle: Mapped[Bundle | None] = relationship()
    areas: Mapped[list["AreaResult"]] = relationship(order_by="AreaResult.area", cascade="all, delete-orphan")
    capabilities: Mapped[list["CapabilityResult"]] = relationship(
        order_by="CapabilityResult.capability", cascade="all, delete-orphan"
    )
    api_results: Mapped[list["ApiResult"]] = relationship(cascade="all, delete-orphan")
    events: Mapped[list["StatusEvent"]] = relationship(
        order_by="StatusEvent.id", cascade="all, delete-orphan"
    )


class RunIdentity(Base):
    """The run a certification holds: one job (its id, the SHA-256 of its raw results) is published
    as one certification only, whoever signs it again."""

    __tablename__ = "run_identity"
    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(
        ForeignKey("certification.id", ondelete="CASCADE"), unique=True
    )
    job_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    results_sha256: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    certification: Mapped["Certification"] = relationship()


class StatusEvent(Base):
    """The history of a certification request's status, with who moved it and why."""

    __tablename__ = "status_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(
        ForeignKey("certification.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)


class AreaResult(Base):
    __tablename__ = "area_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(
        ForeignKey("certification.id", ondelete="CASCADE"), index=True
    )
    profile: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(64))
    tests: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    counts: Mapped[str] = mapped_column(Text)  # {outcome: count} as JSON


class CapabilityResult(Base):
    __tablename__ = "capability_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(
        ForeignKey("certification.id", ondelete="CASCADE"), index=True
    )
    profile: Mapped[str] = mapped_column(String(64))
    capability: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(16))
    accepted: Mapped[bool] = mapped_column(Boolean)


class ApiResult(Base):
    """The measured outcome of one public API on one driver in one certification (all its tests)."""

    __tablename__ = "api_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    certification_id: Mapped[int] = mapped_column(
        ForeignKey("certification.id", ondelete="CASCADE"), index=True
    )
    driver: Mapped[str] = mapped_column(String(64), index=True)
    driver_version: Mapped[str] = mapped_column(String(64))
    api: Mapped[str] = mapped_column(String(120), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    tests: Mapped[int] = mapped_column(Integer)


class CriteriaDoc(Base):
    """A published criteria version, byte for byte: what bundles are checked and scored against."""

    __tablename__ = "criteria_doc"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    published_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)


class ProfileDoc(Base):
    """A published profile, byte for byte; a bundle's profiles must be published ones."""

    __tablename__ = "profile_doc"
    __table_args__ = (UniqueConstraint("name", "sha256"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    published_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)


class SuiteRelease(Base):
    __tablename__ = "suite_release"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    published_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Revision(Base):
    """One row counting every committed change: the key of every cached page and analysis."""

    __tablename__ = "catalog_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)
