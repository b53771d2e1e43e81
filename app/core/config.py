"""Settings read from the environment (and an optional .env file)."""

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import make_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    """Configuration of one running registry; every field can be set by an environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    DATABASE_URL: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'registry.db'}"
    # The database password, kept out of DATABASE_URL: e.g. a container secret (SECRETS_DIR).
    DATABASE_PASSWORD: SecretStr | None = None
    HOST: str = "127.0.0.1"
    PORT: int = 8000
    # The registry's "today": a deadline falls on a calendar day where the staff work, not in UTC.
    # Kalimantan Selatan is WITA (Asia/Makassar), Kalimantan Tengah WIB (Asia/Jakarta).
    TIMEZONE: str = "Asia/Jakarta"
    LOG_LEVEL: str = "INFO"
    SQL_ECHO: bool = False
    # A database that does not answer must not hold requests forever.
    DB_CONNECT_TIMEOUT_SECONDS: float = 5.0
    DB_STATEMENT_TIMEOUT_SECONDS: float = 30.0
    # A PostgreSQL connection idle in the pool longer than this is pinged before a request
    # takes it (one round trip); one used more recently is taken as alive (0: ping every time).
    DB_PING_AFTER_IDLE_SECONDS: float = Field(default=1.0, ge=0)
    # Processes serving requests (`registry serve`; uvicorn itself reads WEB_CONCURRENCY too),
    # and each one's PostgreSQL connections: DB_POOL_SIZE kept open, DB_MAX_OVERFLOW more at
    # peaks. A replica opens at most WEB_CONCURRENCY x (DB_POOL_SIZE + DB_MAX_OVERFLOW). The
    # pool holds what a worker uses under load: a connection above DB_POOL_SIZE is closed as
    # soon as it is given back and opened anew for the next request (milliseconds of the
    # database's CPU each; at 16 requests in flight on 5 + 10, 25 new connections a second
    # and half the throughput of one agreement's read). A request past them all waits.
    WEB_CONCURRENCY: int = Field(default=1, ge=1, le=64)
    DB_POOL_SIZE: int = Field(default=15, ge=1, le=100)
    DB_MAX_OVERFLOW: int = Field(default=0, ge=0, le=100)
    # /readyz answers 503 when the database has not answered within this time.
    READY_TIMEOUT_SECONDS: float = 2.0
    MIGRATIONS_DIR: Path = PROJECT_ROOT / "migrations"
    # Where `registry seed` reads the real cases from.
    SEEDS_DIR: Path = PROJECT_ROOT / "seeds"
    # Signed documents (scans, PDF) are kept here, outside the database, by their SHA-256.
    DOCUMENTS_DIR: Path = PROJECT_ROOT / "var" / "documents"
    MAX_UPLOAD_BYTES: int = 20 * 1024 * 1024
    # Electronic signatures (PAdES) in uploaded PDFs are verified against the certificates of
    # this directory's .pem/.crt/.cer files (e.g. Root CA Indonesia and the BSrE chain); none
    # are shipped or fetched. Unset, every signature is judged untrusted (and says so).
    ESIGN_TRUST_ROOTS_DIR: Path | None = None
    # The most signatures of one PDF that are verified; a PDF with more is "cannot verify".
    ESIGN_MAX_SIGNATURES: int = Field(default=20, ge=1, le=200)
    # Verifying one PDF runs in a child process with these bounds (a compression bomb or a file
    # of endless revisions is recorded as "cannot verify", never a hung request).
    ESIGN_VERIFY_SECONDS: float = Field(default=30.0, gt=0, le=600)
    ESIGN_VERIFY_MEMORY_MB: int = Field(default=1024, ge=256)
    # The yearly evaluation (monev) of each agreement in force is due by the end of this month.
    EVALUATION_DUE_MONTH: int = Field(default=12, ge=1, le=12)
    # The first year whose evaluation is asked for (earlier ones may be recorded, not chased).
    EVALUATIONS_FROM_YEAR: int = Field(default=2026, ge=2000, le=2100)
    # Draft templates (DOCX) that admins upload: the file, and all its parts unpacked (a small
    # zip can unpack to gigabytes). The file also passes MAX_BODY_BYTES on its way in.
    DRAFT_TEMPLATE_MAX_BYTES: int = Field(default=1024 * 1024, ge=1)
    DRAFT_TEMPLATE_MAX_UNPACKED_BYTES: int = Field(default=16 * 1024 * 1024, ge=1)
    # Anonymous requests per minute per client address to the public list (keterbukaan
    # informasi publik: /api/v1/public/agreements and its page); 0 turns the limit off.
    PUBLIC_REQUESTS_PER_MINUTE: int = Field(default=60, ge=0)
    # The largest register (XLSX or CSV) accepted by POST /api/v1/imports.
    MAX_IMPORT_BYTES: int = 10 * 1024 * 1024
    # Bounds on reading a register, checked while it is read (a small .xlsx can unpack to
    # gigabytes): an answer of 413 (422 for the time) names the limit passed. An .xlsx is a zip
    # of XML parts: each part and all of them together, unpacked; the XML elements of one part;
    # the cells of the workbook; the columns of a row (CSV too); the characters of one cell or
    # shared string (Excel's own limit); the rows of a sheet; the seconds spent reading.
    IMPORT_MAX_PART_BYTES: int = Field(default=32 * 1024 * 1024, ge=1)
    IMPORT_MAX_UNPACKED_BYTES: int = Field(default=64 * 1024 * 1024, ge=1)
    IMPORT_MAX_PARTS: int = Field(default=1000, ge=1)
    IMPORT_MAX_XML_ELEMENTS: int = Field(default=1_000_000, ge=1)
    IMPORT_MAX_CELLS: int = Field(default=500_000, ge=1)
    IMPORT_MAX_COLUMNS: int = Field(default=256, ge=1, le=16384)
    IMPORT_MAX_CELL_CHARS: int = Field(default=32_767, ge=1)
    IMPORT_MAX_ROWS: int = Field(default=10_000, ge=1)
    IMPORT_MAX_READ_SECONDS: float = Field(default=30.0, ge=0)
    # Reminders: days before a deadline, the day itself, and then every N days while overdue.
    REMINDER_DAYS_BEFORE: list[int] = [30, 7, 1]
    REMINDER_OVERDUE_EVERY_DAYS: int = 7
    # The scheduler sends this as "Authorization: Bearer ..."; unset, the run endpoint refuses all.
    SCHEDULER_TOKEN: str | None = None
    # When set, /metrics answers only "Authorization: Bearer <METRICS_TOKEN>" (a scraper's
    # bearer_token); unset, /metrics is open, for a scraper on the internal network.
    METRICS_TOKEN: str | None = None
    # Delivery: failed channels are retried after RETRY_BASE * 2^(attempts-1), at most RETRY_MAX.
    REMINDER_RETRY_BASE_SECONDS: int = 300
    REMINDER_RETRY_MAX_SECONDS: int = 6 * 3600
    # The whole of one delivery (connect, send, answer), not each read.
    WEBHOOK_TIMEOUT_SECONDS: float = 10.0
    # Deliveries of one run that may be under way at once (webhooks and e-mails together).
    WEBHOOK_CONCURRENCY: int = 8
    # The most of a receiver's answer that is read: its status decides, the body is not needed
    # (any webhook may point at any public host, which could answer gigabytes).
    WEBHOOK_MAX_ANSWER_BYTES: int = Field(default=4096, ge=0, le=1024 * 1024)
    # How long a run holds the reminders it delivers (its claim, or lease). A run that dies
    # between sending and recording leaves them to be sent again after it, with the same key.
    REMINDER_CLAIM_SECONDS: int = Field(default=600, ge=60)
    # E-mail digests; with no SMTP_HOST, e-mail is not attempted.
    SMTP_HOST: str | None = None
    SMTP_PORT: int = 25
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS: bool = False
    SMTP_FROM: str = "registry@localhost"
    SMTP_TIMEOUT_SECONDS: float = 10.0
    PROJECT_NAME: str = "Registry of cooperation agreements (NK / PKS)"
    # Access. While BOOTSTRAP_ADMIN_KEY is set, it is the key of a user "admin" (first set-up).
    BOOTSTRAP_ADMIN_KEY: str | None = None
    # Requests per minute per API key, and failed authentications per minute per client
    # address (each process counts its own); 0 turns a limit off.
    RATE_LIMIT_PER_MINUTE: int = 600
    AUTH_FAILURES_PER_MINUTE: int = 20
    # How long a process keeps a valid API key it has looked up (app/users/auth.py), so that a
    # request does not read the key again. Revoking a key or disabling or changing its user
    # through this process forgets them at once; done by another process (another worker, the
    # command line), it takes effect there within this many seconds. 0: read the key each time.
    API_KEY_CACHE_SECONDS: float = Field(default=10, ge=0)
    # Staff console sessions end after this long without a request, and this long after sign-in.
    CONSOLE_IDLE_MINUTES: int = Field(default=30, ge=1)
    CONSOLE_ABSOLUTE_HOURS: int = Field(default=12, ge=1)
    # argon2id's cost for staff passwords: argon2-cffi's defaults, RFC 9106's second
    # recommendation (3 passes over 64 MiB). Lower only for the test suite, where hundreds of
    # sign-ins would otherwise take minutes; raising it rehashes each password at next sign-in.
    PASSWORD_HASH_TIME_COST: int = Field(default=3, ge=1)
    PASSWORD_HASH_MEMORY_KIB: int = Field(default=65536, ge=32)
    # The front page's figures (GET /api/v1/stats, the console's Beranda) are computed at most
    # this often in each process and kept in between; 0 computes them on every request.
    STATS_CACHE_SECONDS: int = Field(default=60, ge=0, le=3600)
    # The deadline views: a calendar feed's validator (its ETag) and a page of deadlines (GET
    # /api/v1/deadlines, Tenggat, Beranda's nearest) are kept this long in each process while no
    # write through the services happened (those are seen at once); 0: on every request.
    CALENDAR_CACHE_SECONDS: int = Field(default=60, ge=0, le=3600)
    # How long an Idempotency-Key is remembered.
    IDEMPOTENCY_TTL_HOURS: int = 24
    # How long the first request with a key holds it; a request that died (a crash, a database
    # outage) lets go of it after this, and a retry with the key runs in its place.
    IDEMPOTENCY_LEASE_SECONDS: int = Field(default=60, ge=1)
    # Webhook hosts on private networks (or loopback) that may receive reminders, e.g.
    # ["simpeg.kalselprov.go.id", "10.20.1.5"]; link-local addresses are never allowed.
    WEBHOOK_ALLOWED_HOSTS: list[str] = []
    # Origins allowed by CORS (browsers calling the API from another site); none by default.
    CORS_ORIGINS: list[str] = []
    # The largest request body accepted, counted while it arrives (uploads: MAX_UPLOAD_BYTES).
    MAX_BODY_BYTES: int = 1024 * 1024

    @property
    def database_url(self) -> str:
        """DATABASE_URL with DATABASE_PASSWORD put in, when that is set."""
        if self.DATABASE_PASSWORD is None:
            return self.DATABASE_URL
        url = make_url(self.DATABASE_URL).set(password=self.DATABASE_PASSWORD.get_secret_value())
        return url.render_as_string(hide_password=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.TIMEZONE)

    def today(self) -> date:
        """Today's date in the registry's time zone."""
        return datetime.now(self.zone).date()


# Settings may also come from files named after them in SECRETS_DIR (e.g. Docker's /run/secrets,
# with files such as SCHEDULER_TOKEN and DATABASE_PASSWORD): a secret is never an environment
# variable that every process of the container can read and every crash dump shows.
settings = Settings(_secrets_dir=os.environ.get("SECRETS_DIR") or None)
