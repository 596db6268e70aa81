"""`trust-lesson`: serve, migrate, create-user, jobs, evidence and the vision tools."""

import asyncio
import json
import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from trust_lesson.cli_liveness import liveness
from trust_lesson.logs import configure_logging
from trust_lesson.migrations import upgrade_to_head
from trust_lesson.models import Role
from trust_lesson.presence.judging import suggested_verdict
from trust_lesson.process_memory import return_freed_pictures_to_the_system
from trust_lesson.settings import Settings
from trust_lesson.vision.cli import vision_commands

app = typer.Typer(
    help="Trust Lesson: proof that a student really attended a live lesson.",
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)
jobs_app = typer.Typer(help="Run a scheduled job once, now.")
app.add_typer(jobs_app, name="jobs")
vision_app = vision_commands(suggest=suggested_verdict)
vision_app.command("liveness")(liveness)
app.add_typer(vision_app, name="vision")
evidence_app = typer.Typer(help="The evidence log and the school's signing key.")
app.add_typer(evidence_app, name="evidence")


def main() -> None:
    app()


def _settings() -> Settings:
    # Everything the service writes (database, queue, key, pictures) is owner-only (issue 8/12).
    os.umask(0o077)
    return_freed_pictures_to_the_system()
    settings = Settings()
    settings.ensure_data_dir()
    configure_logging(json_lines=settings.json_logs)
    return settings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Start the service (migrates the database first)."""
    import uvicorn

    from trust_lesson.app import create_app

    settings = _settings()
    _migrate(settings)
    typer.echo(f"Trust Lesson on {host}:{port}")
    typer.echo(f"  data dir : {settings.data_dir.resolve()}")
    typer.echo(f"  database : {_redact(settings.resolved_database_url)}")
    typer.echo(f"  sessions : {'redis' if settings.redis_url else 'database'}")
    typer.echo(f"  worker   : {_worker_line(settings)}")
    typer.echo(f"  service  : http://{host}:{port}/")
    typer.echo(f"  API docs : http://{host}:{port}/docs")
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        **settings.uvicorn_proxy_options(),
    )


def _worker_line(settings: Settings) -> str:
    if not settings.runs_embedded_worker:
        return "none in this process: start `trust-lesson worker`"
    queue = "redis" if settings.redis_url else "sqlite file in the data dir"
    return f"its own process, {settings.worker_threads} thread(s), queue: {queue}"


@app.command()
def worker(
    workers: Annotated[int, typer.Option(help="parallel workers (default: one per core)")] = 0,
    processes: Annotated[bool, typer.Option(help="processes instead of threads")] = True,
) -> None:
    """Run background work (verdicts, periodic jobs) until stopped; start one per machine."""
    from trust_lesson.worker.registry import all_registrars
    from trust_lesson.worker.worker import Worker

    settings = _settings()
    _migrate(settings)
    count = workers or os.cpu_count() or 1
    kind = "process" if processes else "thread"
    queue = "redis" if settings.redis_url else f"sqlite file in {settings.data_dir}"
    typer.echo(f"Trust Lesson worker: {count} {kind}(es), queue: {queue}")
    Worker(settings, registrars=all_registrars()).consumer(workers=count, worker_type=kind).run()


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest version."""
    settings = _settings()
    _migrate(settings)
    typer.echo(f"database at head: {_redact(settings.resolved_database_url)}")


def _migrate(settings: Settings) -> None:
    upgrade_to_head(settings.resolved_database_url)


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at:
        return url
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"


@jobs_app.command("mark-late")
def mark_late() -> None:
    """Lessons still WAITING one day after their planned start become LATE."""
    from trust_lesson.lessons.tasks import run_mark_late

    settings = _settings()
    _migrate(settings)
    changed = asyncio.run(run_mark_late(settings))
    typer.echo(f"{changed} lesson{'' if changed == 1 else 's'} marked LATE")


@evidence_app.command("keys")
def evidence_keys() -> None:
    """Print the school's public keys (keys.json, as /.well-known/trust-lesson/keys serves it)."""
    from trust_lesson.clock import utc_now
    from trust_lesson.evidence.keys import load_school_keys

    keys = load_school_keys(_settings(), now=utc_now())
    typer.echo(json.dumps(keys.public.document(), indent=2))


@evidence_app.command("rotate-key")
def evidence_rotate_key() -> None:
    """Sign with a new key from now on; earlier public keys stay listed as retired."""
    from trust_lesson.clock import utc_now
    from trust_lesson.evidence.keys import SigningKeyError, rotate_school_key

    try:
        keys = rotate_school_key(_settings(), now=utc_now())
    except SigningKeyError as error:
        typer.echo(f"key not rotated: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"signing with key {keys.current.key_id}; restart serve and the workers")


@evidence_app.command("checkpoint")
def evidence_checkpoint() -> None:
    """Sign the log's tree head now (the worker does it every minute when the log grew)."""
    from trust_lesson.clock import utc_now
    from trust_lesson.evidence.keys import load_school_keys
    from trust_lesson.evidence.log import run_checkpoint

    settings = _settings()
    _migrate(settings)
    row = asyncio.run(run_checkpoint(settings, load_school_keys(settings, now=utc_now())))
    typer.echo("nothing new to sign" if row is None else f"signed the log at size {row.size}")


@evidence_app.command("verify")
def evidence_verify(
    keys: Annotated[
        Path | None,
        typer.Option(help="keys.json to trust (default: this service's own published keys)"),
    ] = None,
) -> None:
    """Recompute the whole log and check every checkpoint; exit 1 naming what was changed."""
    from trust_lesson.clock import utc_now
    from trust_lesson.evidence.keys import PublishedKeys, SigningKeyError, load_school_keys
    from trust_lesson.evidence.verify import run_verify

    settings = _settings()
    try:
        trusted = (
            PublishedKeys.from_document(json.loads(keys.read_text()))
            if keys
            else load_school_keys(settings, now=utc_now()).public
        )
    except (OSError, ValueError, SigningKeyError) as error:
        typer.echo(f"cannot read the keys: {error}", err=True)
        raise typer.Exit(2) from None
    report = asyncio.run(run_verify(settings, trusted))
    for problem in report.problems[:50]:
        typer.echo(f"INVALID {problem}")
    if len(report.problems) > 50:
        typer.echo(f"... and {len(report.problems) - 50} more problems")
    verdict = "valid" if report.valid else "invalid"
    typer.echo(f"{verdict}: {report.entries} entries, {report.checkpoints} checkpoints checked")
    raise typer.Exit(0 if report.valid else 1)


@evidence_app.command("certificate")
def evidence_certificate(
    student: Annotated[int, typer.Option(help="the student's user id")],
    out: Annotated[Path, typer.Option(help="the certificate (JSON); its PDF goes beside it")],
    lesson: Annotated[int | None, typer.Option(help="the lesson's id")] = None,
    term: Annotated[
        int | None, typer.Option(help="the term's id: a certificate of the term")
    ] = None,
) -> None:
    """Issue the signed attendance certificate of a student's current decision for a lesson,
    or of their decisions in a whole term (JSON, and a PDF with a QR code beside it)."""
    from trust_lesson.clock import utc_now
    from trust_lesson.errors import NotFound
    from trust_lesson.evidence.certificate_files import run_issue, write_certificate
    from trust_lesson.evidence.keys import load_school_keys

    if (lesson is None) == (term is None) or out.suffix.lower() == ".pdf":
        typer.echo("give either --lesson L or --term T, and --out FILE.json", err=True)
        raise typer.Exit(2)
    settings = _settings()
    keys = load_school_keys(settings, now=utc_now())
    try:
        document = asyncio.run(
            run_issue(settings, keys, student_id=student, lesson_id=lesson, term_id=term)
        )
    except NotFound as error:
        typer.echo(f"no certificate: {error.detail}", err=True)
        raise typer.Exit(2) from None
    pdf = write_certificate(document, out, public_url=settings.public_url)
    typer.echo(f"wrote {out} and {pdf}")


@evidence_app.command("revoke")
def evidence_revoke(
    certificate: Annotated[int, typer.Option(help="the certificate's number (its status index)")],
    reason: Annotated[str, typer.Option(help="why, recorded in the evidence log")],
) -> None:
    """Revoke a certificate: its bit is set in the published status list."""
    from trust_lesson.errors import DomainError
    from trust_lesson.evidence.revocation import run_revoke

    try:
        asyncio.run(run_revoke(_settings(), certificate_id=certificate, reason=reason))
    except DomainError as error:
        typer.echo(f"not revoked: {error.detail}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"certificate {certificate} revoked")


@app.command("verify")
def verify_certificate(
    certificate: Annotated[Path, typer.Argument(help="the certificate (JSON)")],
    keys: Annotated[
        Path | None,
        typer.Option(help="the school's keys.json (/.well-known/trust-lesson/keys); required"),
    ] = None,
    offline: Annotated[bool, typer.Option(help="do not fetch the revocation list")] = False,
) -> None:
    """Check an attendance certificate offline: valid (exit 0) or invalid with the reason (1);
    with network access, also whether the school revoked it (its status list; revoked: 1)."""
    from trust_lesson.evidence.certificate_check import CertificateInvalid, check_certificate
    from trust_lesson.evidence.keys import PublishedKeys, SigningKeyError

    if keys is None:
        typer.echo("give the school's keys with --keys KEYS.json", err=True)
        raise typer.Exit(2)
    try:
        trusted = PublishedKeys.from_document(json.loads(keys.read_text()))
    except (OSError, ValueError, SigningKeyError) as error:
        typer.echo(f"cannot read the keys: {error}", err=True)
        raise typer.Exit(2) from None
    try:
        document = json.loads(certificate.read_bytes())
        check_certificate(document, trusted)
    except (OSError, ValueError) as error:
        reason = str(error) if isinstance(error, CertificateInvalid) else f"unreadable: {error}"
        typer.echo(f"invalid: {reason}")
        raise typer.Exit(1) from None
    if offline or "credentialStatus" not in document:
        typer.echo("valid (revocation not checked)" if offline else "valid")
        return
    _check_revocation(document, trusted)


def _check_revocation(document: dict[str, Any], trusted: Any) -> None:
    import httpx

    from trust_lesson.evidence.revocation import is_revoked
    from trust_lesson.evidence.status_list import StatusListError

    url = document["credentialStatus"]["statusListCredential"]
    try:
        answer = httpx.get(url, timeout=10, follow_redirects=False)
        answer.raise_for_status()
        revoked = is_revoked(document, answer.json(), trusted)
    except (httpx.HTTPError, ValueError, KeyError) as error:
        reason = str(error) if isinstance(error, StatusListError) else repr(error)
        typer.echo(f"valid (revocation not checked: {url}: {reason})")
        return
    if revoked:
        typer.echo("revoked: the school has revoked this certificate")
        raise typer.Exit(1)
    typer.echo("valid (not revoked)")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="sign-in email")],
    full_name: Annotated[str, typer.Option("--full-name", help="the person's full name")],
    role: Annotated[Role, typer.Option(help="STUDENT, INSTRUCTOR or ADMIN")] = Role.STUDENT,
    password: Annotated[str | None, typer.Option(help="leave out to generate one")] = None,
    username: Annotated[str | None, typer.Option(help="default: from the email")] = None,
) -> None:
    """Create an account (prints a generated strong password when none is given)."""
    from trust_lesson.users.cli import AccountNotCreated, create_account

    settings = _settings()
    _migrate(settings)
    chosen = password or secrets.token_urlsafe(18)
    try:
        user = asyncio.run(
            create_account(
                settings,
                email=email,
                full_name=full_name,
                role=role,
                password=chosen,
                username=username,
            )
        )
    except AccountNotCreated as error:
        typer.echo(f"account not created: {error}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"created {user.role} {user.email} (id {user.id}, username {user.username})")
    if password is None:
        typer.echo(f"password: {chosen}")


@app.command()
def demo(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="where the demo keeps its database and pictures")
    ] = Path("var/demo"),
    minutes: Annotated[int, typer.Option(min=2, max=30, help="length of the lesson")] = 3,
    out: Annotated[
        Path | None,
        typer.Option(help="also write the lesson's certificates and the school's keys.json here"),
    ] = None,
) -> None:
    """Play a short lesson end to end (3 students, real faces) and print the attendance."""
    from trust_lesson.demo.run import demo_settings, run_demo
    from trust_lesson.evidence.certificate_files import write_lesson_certificates

    try:
        outcome = run_demo(data_dir, minutes, say=lambda line: typer.echo(line))
    except RuntimeError as error:
        typer.echo(f"demo stopped: {error}", err=True)
        raise typer.Exit(2) from None
    if not outcome.as_expected:
        typer.echo("the decisions differ from the story the demo played", err=True)
        raise typer.Exit(1)
    if out is not None:
        written = write_lesson_certificates(
            demo_settings(data_dir), lesson_id=outcome.lesson_id, out=out
        )
        for path in written:
            typer.echo(f"certificate: {path} and {path.with_suffix('.pdf')}")
        typer.echo(f"school keys: {out / 'keys.json'}")
