"""``tickiti-workflow``: the ops console (migrate, serve, worker, create-account, -user, -token)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import psycopg
from psycopg.rows import dict_row

import sql
from auth import hash_token, mint_token

from . import db, embedded
from .config import Settings

ROLES = ("owner", "admin", "agent")


class CommandError(Exception):
    """A bad argument or state; printed as one clear line, exit status 2."""


def database_url(settings: Settings) -> str:
    """The configured database, or the embedded one (migrated) when none is configured."""
    if settings.database_url:
        return settings.database_url
    url = embedded.start(settings.data_dir)
    db.migrate(url)
    return url


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, row_factory=dict_row, autocommit=True)


def cmd_migrate(args, settings: Settings) -> dict:
    url = settings.database_url or embedded.start(settings.data_dir)
    return {"applied": db.migrate(url)}


def cmd_purge(args, settings: Settings) -> dict:
    with _connect(database_url(settings)) as conn, conn.cursor() as cur:
        return {"idempotency_keys_deleted": sql.idempotency.purge_expired.run(cur)}


def cmd_create_account(args, settings: Settings) -> dict:
    if not args.name.strip():
        raise CommandError("--name must not be empty")
    with _connect(database_url(settings)) as conn, conn.transaction(), conn.cursor() as cur:
        plans = [r["code"] for r in sql.admin.plan_codes.all(cur)]
        if args.plan not in plans:
            raise CommandError(f"--plan must be one of {', '.join(plans)}")
        return sql.admin.create_account.one(cur, name=args.name.strip(), plan=args.plan)


def cmd_create_user(args, settings: Settings) -> dict:
    if args.role not in ROLES:
        raise CommandError(f"--role must be one of {', '.join(ROLES)}")
    if "@" not in args.email.strip(" @"):
        raise CommandError("--email must be an email address")
    with _connect(database_url(settings)) as conn, conn.transaction(), conn.cursor() as cur:
        if sql.admin.account_exists.one(cur, account_id=args.account) is None:
            raise CommandError(f"no account with id {args.account}")
        try:
            return sql.admin.create_user.one(
                cur,
                account_id=args.account,
                email=args.email.strip(),
                name=args.name or "",
                role=args.role,
            )
        except psycopg.errors.UniqueViolation:
            raise CommandError("a user with that email already exists in the account") from None


def cmd_create_token(args, settings: Settings) -> dict:
    if args.expires_in_days is not None and args.expires_in_days < 1:
        raise CommandError("--expires-in-days must be at least 1")
    token = mint_token("tkt_")
    with _connect(database_url(settings)) as conn, conn.transaction(), conn.cursor() as cur:
        user = sql.admin.find_user.one(cur, user_id=args.user)
        if user is None:
            raise CommandError(f"no user with id {args.user}")
        row = sql.admin.create_token.one(
            cur,
            account_id=user["account_id"],
            user_id=user["id"],
            name=args.name or "",
            token_hash=hash_token(token),
            token_prefix=token[:8],
            abilities=sorted(set(args.ability)),
            expires_in_days=args.expires_in_days,
        )
    return {"id": row["id"], "token": token}


def cmd_serve(args, settings: Settings) -> None:
    from .server import serve

    serve(settings, port=args.port)


def cmd_worker(args, settings: Settings) -> None:
    from .worker import main as run_worker

    run_worker(database_url(settings), settings, exit_with_parent=args.exit_with_parent)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tickiti-workflow", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply pending migrations").set_defaults(run=cmd_migrate)

    sub.add_parser(
        "purge", help="delete Idempotency-Key records older than 24 hours (the worker does hourly)"
    ).set_defaults(run=cmd_purge)

    worker = sub.add_parser(
        "worker", help="run a worker: bulk jobs and scheduled housekeeping (stops on SIGTERM)"
    )
    worker.add_argument(
        "--exit-with-parent", action="store_true", help="stop when the parent process is gone"
    )
    worker.set_defaults(run=cmd_worker)

    serve = sub.add_parser(
        "serve", help="run the web service and a worker (embedded database by default)"
    )
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(run=cmd_serve)

    account = sub.add_parser("create-account", help="create an account")
    account.add_argument("--name", required=True)
    account.add_argument("--plan", required=True)
    account.set_defaults(run=cmd_create_account)

    user = sub.add_parser("create-user", help="create a user in an account")
    user.add_argument("--account", type=int, required=True)
    user.add_argument("--email", required=True)
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--name", default="")
    user.set_defaults(run=cmd_create_user)

    token = sub.add_parser("create-token", help="create an API token (printed once)")
    token.add_argument("--user", type=int, required=True)
    token.add_argument("--ability", action="append", required=True)
    token.add_argument("--name", default="")
    token.add_argument("--expires-in-days", type=int, default=None)
    token.set_defaults(run=cmd_create_token)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        result = args.run(args, settings)
    except CommandError as exc:
        print(f"tickiti-workflow {args.command}: {exc}", file=sys.stderr)
        return 2
    except psycopg.OperationalError as exc:
        print(f"tickiti-workflow {args.command}: cannot reach the database: {exc}", file=sys.stderr)
        return 1
    if result is not None:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
