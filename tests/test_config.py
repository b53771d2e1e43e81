"""Settings from the environment and from secret files (containers' /run/secrets)."""

from pathlib import Path

from sqlalchemy import make_url

from app.core.config import Settings


def test_secrets_come_from_files_named_after_the_setting(tmp_path: Path) -> None:
    (tmp_path / "SCHEDULER_TOKEN").write_text("s3cret-token\n")
    (tmp_path / "DATABASE_PASSWORD").write_text("db p@ss/word\n")
    settings = Settings(
        _secrets_dir=tmp_path,
        DATABASE_URL="postgresql+psycopg://registry@db:5432/registry",
    )
    assert settings.SCHEDULER_TOKEN == "s3cret-token"
    # The password is put into the URL, quoted as a URL needs it, and read back whole.
    url = make_url(settings.database_url)
    assert url.password == "db p@ss/word"
    assert (url.username, url.host, url.database) == ("registry", "db", "registry")
    assert "p@ss" not in repr(settings)  # a secret is not shown when settings are printed


def test_without_a_password_the_url_is_used_as_given() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert Settings(DATABASE_URL=url).database_url == url
