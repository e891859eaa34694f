"""tickiti-workflow: the ops console of the Tickiti Workflow API.

Every command prints one JSON object on stdout (serve and worker run in the foreground). Bad
input is one line on stderr and exit status 2; an unreachable database, exit status 1.
Commands that change something record it in the ops trail (table ops_events). The database is
DATABASE_URL; without it, only serve (or TICKITI_EMBEDDED_DB=true) uses the embedded
PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from importlib import metadata
from typing import Any, NoReturn

import psycopg
from psycopg.rows import dict_row

import sql
from auth.gates import PLAN_FEATURES, Ability
from tickiti_workflow.tokens import hash_token, mint_token

from . import db, embedded, jsonfmt
from .config import Settings

ROLES = ("owner", "admin", "agent")
# Abilities of the wider product: ``resource:action`` (e.g. tickets:read).
ABILITY_FORM = re.compile(r"[a-z][a-z0-9_]{0,39}:[a-z][a-z0-9_]{0,39}")
WORKFLOW_ABILITIES = tuple(str(a) for a in Ability)
MAX_EXPIRES_IN_DAYS = 3650
MAX_NAME = 200


class CommandError(Exception):
    """A bad argument or state; printed as one clear line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (and exit status 2), not a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


class JsonVersion(argparse.Action):
    """``--version``: the installed version, as JSON like every other answer."""

    def __init__(self, option_strings, dest, **kwargs):
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        print(json.dumps({"version": version()}))
        parser.exit()


def version() -> str:
    try:
        return metadata.version("tickiti-workflow")
    except metadata.PackageNotFoundError:
        return "unknown"


# --------------------------------------------------------------------------- argument types


def positive_id(raw: str) -> int:
    """An id: a positive integer PostgreSQL's bigint can hold."""
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an id") from None
    if not 1 <= value <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not an id")
    return value


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}, got {value}")
        return value

    parse.__name__ = "number"
    return parse


def text(max_length: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip()
        if len(value) > max_length:
            raise argparse.ArgumentTypeError(f"at most {max_length} characters")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise argparse.ArgumentTypeError("control characters are not allowed")
        return value

    parse.__name__ = "text"
    return parse


def ability(raw: str) -> str:
    """A workflow ability this service knows, or another service's ``resource:action``."""
    value = raw.strip()
    if value.startswith("workflow:"):
        if value not in WORKFLOW_ABILITIES:
            raise argparse.ArgumentTypeError(
                f"unknown ability {value!r}: this service knows {', '.join(WORKFLOW_ABILITIES)}"
            )
    elif not ABILITY_FORM.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ability: use resource:action (e.g. tickets:read)"
        )
    return value


def feature(raw: str) -> str:
    value = raw.strip()
    if value not in PLAN_FEATURES:
        raise argparse.ArgumentTypeError(
            f"unknown feature {value!r}: one of {', '.join(sorted(PLAN_FEATURES))}"
        )
    return value


# --------------------------------------------------------------------------- running a command


class Console:
    """What a command needs: the settings, a database cursor, and the ops trail."""

    def __init__(self, args: argparse.Namespace, settings: Settings):
        self.args = args
        self.settings = settings
        self.command = args.command_name
        self._url: str | None = None

    @property
    def url(self) -> str:
        if self._url is None:
            self._url = database_url(self.settings)
        return self._url

    @contextlib.contextmanager
    def cursor(self) -> Iterator[psycopg.Cursor[dict[str, Any]]]:
        """A cursor in one transaction: a command's change and its trail commit together."""
        with _connect(self.url) as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    def record(
        self,
        cur,
        object_type: str,
        object_id: Any,
        before: Any = None,
        after: Any = None,
        account_id: int | None = None,
    ) -> None:
        """Record a change in ops_events (never a secret: callers pass no token nor hash)."""
        sql.ops.record_event.run(
            cur,
            actor=actor(),
            command=self.command,
            account_id=account_id,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            before=None if before is None else dumps(before),
            after=None if after is None else dumps(after),
        )


def actor() -> str:
    """Who runs the console: TICKITI_OPS_ACTOR, else the operating-system user."""
    name = os.environ.get("TICKITI_OPS_ACTOR", "").strip()
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return name[:MAX_NAME]


def dumps(value: Any) -> str:
    return json.dumps(value, default=jsonfmt.default, ensure_ascii=False)


def database_url(settings: Settings) -> str:
    """The configured database; the embedded one (migrated) only when it was asked for."""
    if settings.database_url:
        if not settings.database_url.startswith("postgresql://"):
            raise CommandError("DATABASE_URL must be a postgresql:// or postgres:// URL")
        return settings.database_url
    try:
        return embedded.database_url(settings)
    except SystemExit as exc:
        raise CommandError(str(exc)) from None


def _connect(url: str) -> psycopg.Connection[dict[str, Any]]:
    return psycopg.connect(url, row_factory=dict_row, autocommit=True, connect_timeout=10)


# --------------------------------------------------------------------------- commands


def cmd_migrate(args, console: Console) -> dict:
    url = console.url
    if args.status:
        return {"migrations": db.migration_status(url)}
    if args.rollback_one:
        if not args.yes:
            raise CommandError("--rollback-one undoes the last migration; add --yes to confirm")
        rolled_back = db.rollback_last(url)
        if rolled_back is not None:
            _record_migration(console, "rolled_back", rolled_back)
        return {"rolled_back": rolled_back}
    applied = db.migrate(url)
    if applied:
        _record_migration(console, "applied", applied)
    return {"applied": applied}


def _record_migration(console: Console, key: str, value: Any) -> None:
    """Trail a migration run, unless it just removed the trail's own table."""
    with console.cursor() as cur:
        cur.execute("SELECT to_regclass('ops_events') IS NOT NULL AS present")
        if cur.fetchone()["present"]:  # type: ignore[index]
            console.record(cur, "migration", None, after={key: value})


def cmd_purge(args, console: Console) -> dict:
    with console.cursor() as cur:
        return {"idempotency_keys_deleted": sql.idempotency.purge_expired.run(cur)}


def cmd_serve(args, console: Console) -> None:
    from .server import serve

    serve(console.settings, port=args.port)


def cmd_worker(args, console: Console) -> None:
    from .worker import main as run_worker

    run_worker(console.url, console.settings, exit_with_parent=args.exit_with_parent)


def _plan_codes(cur) -> list[str]:
    return [r["code"] for r in sql.admin.plan_codes.all(cur)]


def cmd_create_account(args, console: Console) -> dict:
    if not args.name:
        raise CommandError("--name must not be empty")
    with console.cursor() as cur:
        plans = _plan_codes(cur)
        if args.plan not in plans:
            raise CommandError(f"--plan must be one of {', '.join(plans)}")
        account = sql.admin.create_account.one(cur, name=args.name, plan=args.plan)
        console.record(cur, "account", account["id"], after=account, account_id=account["id"])
        return account


def cmd_accounts_list(args, console: Console) -> dict:
    with console.cursor() as cur:
        rows = sql.ops.list_accounts.all(cur, after_id=args.after, limit=args.limit)
    return {"accounts": rows, "next_after": rows[-1]["id"] if len(rows) == args.limit else None}


def cmd_accounts_set_plan(args, console: Console) -> dict:
    with console.cursor() as cur:
        before = sql.ops.lock_account.one(cur, account_id=args.account)
        if before is None:
            raise CommandError(f"no account with id {args.account}")
        plans = _plan_codes(cur)
        if args.plan not in plans:
            raise CommandError(f"--plan must be one of {', '.join(plans)}")
        after = sql.ops.set_account_plan.one(cur, account_id=args.account, plan=args.plan)
        console.record(cur, "account", args.account, before, after, account_id=args.account)
        return after


def cmd_plans_list(args, console: Console) -> dict:
    with console.cursor() as cur:
        return {"plans": sql.ops.list_plans.all(cur)}


def cmd_plans_set_features(args, console: Console) -> dict:
    features = sorted(set(args.feature or []))
    if not features and not args.none:
        raise CommandError("give --feature at least once, or --none to remove every feature")
    if features and args.none:
        raise CommandError("--none and --feature exclude each other")
    with console.cursor() as cur:
        before = sql.ops.lock_plan.one(cur, plan=args.plan)
        if before is None:
            raise CommandError(f"--plan must be one of {', '.join(_plan_codes(cur))}")
        after = sql.ops.set_plan_features.one(cur, plan=args.plan, features=features)
        console.record(cur, "plan", args.plan, before, after)
        return after


def cmd_create_user(args, console: Console) -> dict:
    email = args.email.strip()
    if "@" not in email.strip("@") or len(email) > 320 or any(c.isspace() for c in email):
        raise CommandError("--email must be an email address")
    with console.cursor() as cur:
        if sql.admin.account_exists.one(cur, account_id=args.account) is None:
            raise CommandError(f"no account with id {args.account}")
        try:
            with cur.connection.transaction():
                user = sql.admin.create_user.one(
                    cur, account_id=args.account, email=email, name=args.name, role=args.role
                )
        except psycopg.errors.UniqueViolation:
            raise CommandError("a user with that email already exists in the account") from None
        after = {"id": user["id"], "email": email, "name": args.name, "role": args.role}
        console.record(cur, "user", user["id"], after=after, account_id=args.account)
        return user


def cmd_users_deactivate(args, console: Console) -> dict:
    with console.cursor() as cur:
        before = sql.ops.lock_user.one(cur, user_id=args.user)
        if before is None:
            raise CommandError(f"no user with id {args.user}")
        after = sql.ops.deactivate_user.one(cur, account_id=before["account_id"], user_id=args.user)
        if before["active"]:
            console.record(cur, "user", args.user, before, after, account_id=before["account_id"])
        return after


def _mint(cur, account_id: int, user_id: int, name: str, abilities, days: int | None) -> dict:
    token = mint_token("tkt_")
    row = sql.admin.create_token.one(
        cur,
        account_id=account_id,
        user_id=user_id,
        name=name,
        token_hash=hash_token(token),
        token_prefix=token[:8],
        abilities=sorted(set(abilities)),
        expires_in_days=days,
    )
    return {"id": row["id"], "token": token}


def _token_state(token: dict) -> dict:
    """What the trail keeps of a token: never its secret nor its hash."""
    keys = ("id", "user_id", "name", "prefix", "abilities", "expires_at", "revoked_at")
    return {k: token[k] for k in keys if k in token}


def cmd_create_token(args, console: Console) -> dict:
    with console.cursor() as cur:
        user = sql.ops.lock_user.one(cur, user_id=args.user)
        if user is None:
            raise CommandError(f"no user with id {args.user}")
        if not user["active"]:
            raise CommandError(f"user {args.user} is deactivated")
        minted = _mint(
            cur, user["account_id"], user["id"], args.name, args.ability, args.expires_in_days
        )
        after = {"id": minted["id"], "user_id": user["id"], "name": args.name,
                 "prefix": minted["token"][:8], "abilities": sorted(set(args.ability))}  # fmt: skip
        console.record(cur, "token", minted["id"], after=after, account_id=user["account_id"])
    return minted


def cmd_tokens_list(args, console: Console) -> dict:
    with console.cursor() as cur:
        if sql.admin.account_exists.one(cur, account_id=args.account) is None:
            raise CommandError(f"no account with id {args.account}")
        rows = sql.ops.list_tokens.all(cur, account_id=args.account, user_id=args.user)
    return {"tokens": rows}


def cmd_tokens_revoke(args, console: Console) -> dict:
    with console.cursor() as cur:
        before = sql.ops.lock_token.one(cur, token_id=args.token)
        if before is None:
            raise CommandError(f"no token with id {args.token}")
        if before["revoked_at"] is not None:
            return {"id": args.token, "revoked_at": before["revoked_at"]}
        after = sql.ops.revoke_token.one(cur, account_id=before["account_id"], token_id=args.token)
        console.record(
            cur, "token", args.token, _token_state(before), {**_token_state(before), **after},
            account_id=before["account_id"],
        )  # fmt: skip
        return after


def cmd_tokens_rotate(args, console: Console) -> dict:
    """A new secret with the same user, name, abilities and time left; the old one revoked."""
    with console.cursor() as cur:
        old = sql.ops.lock_token.one(cur, token_id=args.token)
        if old is None:
            raise CommandError(f"no token with id {args.token}")
        if old["revoked_at"] is not None:
            raise CommandError(f"token {args.token} is revoked; create a new one instead")
        if old["days_left"] is not None and old["days_left"] < 1:
            raise CommandError(f"token {args.token} has expired; create a new one instead")
        account_id = old["account_id"]
        if sql.ops.lock_user.one(cur, user_id=old["user_id"])["active"] is False:
            raise CommandError(f"the token's user {old['user_id']} is deactivated")
        minted = _mint(
            cur, account_id, old["user_id"], old["name"], old["abilities"], old["days_left"]
        )
        sql.ops.revoke_token.one(cur, account_id=account_id, token_id=args.token)
        console.record(
            cur, "token", args.token, _token_state(old),
            {**_token_state(old), "replaced_by": minted["id"]}, account_id=account_id,
        )  # fmt: skip
    return {**minted, "revoked_id": args.token}


def cmd_events(args, console: Console) -> dict:
    with console.cursor() as cur:
        return {"events": sql.ops.list_events.all(cur, account_id=args.account, limit=args.limit)}


# --------------------------------------------------------------------------- the parser


def _command(sub, name: str, run: Callable, help: str, **kwargs) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".")
    parser.set_defaults(run=run, **kwargs)
    return parser


def _group(sub, name: str, help: str):
    parser = sub.add_parser(name, help=help, description=help[0].upper() + help[1:] + ".")
    return parser.add_subparsers(dest=f"{name}_action", required=True, metavar="ACTION")


def build_parser() -> argparse.ArgumentParser:
    """Every command, in one place: a ``cmd_*`` function above and its parser here."""
    parser = Parser(
        prog="tickiti-workflow",
        description=__doc__.split("\n", 1)[1].strip(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=JsonVersion, help="print the version as JSON")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    account_id: dict[str, Any] = {"type": positive_id, "required": True, "metavar": "ID"}

    migrate = _command(sub, "migrate", cmd_migrate, "apply pending migrations")
    mode = migrate.add_mutually_exclusive_group()
    mode.add_argument("--status", action="store_true", help="list migrations, applied or not")
    mode.add_argument("--rollback-one", action="store_true", help="undo the last applied migration")
    migrate.add_argument("--yes", action="store_true", help="confirm --rollback-one")

    _command(
        sub,
        "purge",
        cmd_purge,
        "delete Idempotency-Key records older than 24 hours (the worker also does it hourly)",
    )

    worker = _command(
        sub,
        "worker",
        cmd_worker,
        "run a worker: bulk jobs and scheduled housekeeping, until SIGTERM or SIGINT",
    )
    worker.add_argument(
        "--exit-with-parent", action="store_true", help="stop when the parent process is gone"
    )

    serve = _command(
        sub, "serve", cmd_serve, "run the web service and a worker (embedded database by default)"
    )
    serve.add_argument(
        "--port", type=bounded_int(1, 65535), default=None, help="port to bind (default: $PORT)"
    )

    account = _command(sub, "create-account", cmd_create_account, "create an account")
    account.add_argument("--name", required=True, type=text(MAX_NAME), help="the account's name")
    account.add_argument("--plan", required=True, help="plan code (see: plans list)")

    user = _command(sub, "create-user", cmd_create_user, "create a user in an account")
    user.add_argument("--account", **account_id, help="the account's id")
    user.add_argument("--email", required=True, type=text(320), help="the user's email")
    user.add_argument("--role", required=True, choices=ROLES, help="the user's role")
    user.add_argument("--name", default="", type=text(MAX_NAME), help="the user's name")

    token = _command(sub, "create-token", cmd_create_token, "create an API token (shown once)")
    token.add_argument("--user", **account_id, help="the id of the user the token acts for")
    token.add_argument(
        "--ability", action="append", required=True, type=ability,
        help=f"an ability, repeatable: {', '.join(WORKFLOW_ABILITIES)} or another resource:action",
    )  # fmt: skip
    token.add_argument("--name", default="", type=text(MAX_NAME), help="a label for the token")
    token.add_argument(
        "--expires-in-days", type=bounded_int(1, MAX_EXPIRES_IN_DAYS), default=None,
        metavar="DAYS", help=f"expire after DAYS (1 to {MAX_EXPIRES_IN_DAYS}; default: never)",
    )  # fmt: skip

    accounts = _group(sub, "accounts", "list accounts, change an account's plan")
    listing = _command(accounts, "list", cmd_accounts_list, "list accounts in id order")
    listing.add_argument(
        "--after", type=bounded_int(0, 2**63 - 1), default=0, metavar="ID",
        help="start after this account id (the previous page's next_after)",
    )  # fmt: skip
    listing.add_argument(
        "--limit", type=bounded_int(1, 1000), default=100, help="accounts per page (1 to 1000)"
    )
    set_plan = _command(accounts, "set-plan", cmd_accounts_set_plan, "move an account to a plan")
    set_plan.add_argument("--account", **account_id, help="the account's id")
    set_plan.add_argument("--plan", required=True, help="plan code (see: plans list)")

    plans = _group(sub, "plans", "list plans, change a plan's features")
    _command(plans, "list", cmd_plans_list, "list plans and their features")
    features = _command(
        plans, "set-features", cmd_plans_set_features, "replace a plan's features (all accounts)"
    )
    features.add_argument("--plan", required=True, help="plan code (see: plans list)")
    features.add_argument(
        "--feature", action="append", type=feature,
        help=f"a feature, repeatable: {', '.join(sorted(PLAN_FEATURES))}",
    )  # fmt: skip
    features.add_argument("--none", action="store_true", help="remove every feature")

    users = _group(sub, "users", "change users")
    deactivate = _command(
        users, "deactivate", cmd_users_deactivate, "deactivate a user (their tokens stop working)"
    )
    deactivate.add_argument("--user", **account_id, help="the user's id")

    tokens = _group(sub, "tokens", "list, revoke and rotate API tokens")
    tokens_list = _command(tokens, "list", cmd_tokens_list, "list an account's tokens (no secrets)")
    tokens_list.add_argument("--account", **account_id, help="the account's id")
    tokens_list.add_argument(
        "--user", type=positive_id, default=None, metavar="ID", help="only this user's tokens"
    )
    revoke = _command(tokens, "revoke", cmd_tokens_revoke, "revoke a token at once")
    revoke.add_argument("--token", **account_id, help="the token's id")
    rotate = _command(
        tokens, "rotate", cmd_tokens_rotate, "replace a token's secret (the old one is revoked)"
    )
    rotate.add_argument("--token", **account_id, help="the token's id")

    events = _command(sub, "events", cmd_events, "show the ops trail, newest first")
    events.add_argument("--account", type=positive_id, default=None, metavar="ID",
                        help="only this account's events")  # fmt: skip
    events.add_argument(
        "--limit", type=bounded_int(1, 1000), default=50, help="events to show (1 to 1000)"
    )
    return parser


def _command_name(args: argparse.Namespace) -> str:
    action = getattr(args, f"{args.command}_action", None)
    return f"{args.command} {action}" if action else args.command


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.command_name = _command_name(args)
    prefix = f"tickiti-workflow {args.command_name}"
    try:
        settings = Settings.from_env()
        result = args.run(args, Console(args, settings))
    except CommandError as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:
        if isinstance(exc.code, int | None):
            raise
        print(f"{prefix}: {exc.code}", file=sys.stderr)
        return 2
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        print(f"{prefix}: cannot reach the database: {reason}", file=sys.stderr)
        return 1
    except (psycopg.Error, ValueError) as exc:
        print(f"{prefix}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    if result is not None:
        print(dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
