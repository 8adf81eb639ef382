"""File > Back up… and File > Restore…: in the background, the restore only after the
file has been checked and the replacement confirmed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.services import backup
from app.services.backup import BackupInfo

TITLE_BACKUP = "Back up"
TITLE_RESTORE = "Restore"


def _filters(env: Any) -> str:
    """The file dialog's filters: backups of this database, or any file."""
    kind = backup.backup_format(env.ctx)
    return f"{kind.label} (*.{kind.suffix});;All files (*)"


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _folder(env: Any) -> Path:
    return Path(str(env.settings.value("backup/folder") or Path.home()))


def back_up(window: Any) -> None:
    env = window.env
    if env.runner.busy:
        env.interaction.inform(window, TITLE_BACKUP, "Wait until the running action has finished.")
        return
    suggested = _folder(env) / backup.suggested_name(env.ctx)
    chosen = env.interaction.save_path(window, "Back up the database to", str(suggested), _filters(env))
    if not chosen:
        return
    path = Path(chosen)
    env.settings.setValue("backup/folder", str(path.parent))

    def done(info: BackupInfo) -> None:
        env.interaction.inform(
            window,
            TITLE_BACKUP,
            f"The database {env.ctx.location} is backed up to {info.path} ({_size(info.size)}).",
        )

    env.runner.run_writing(
        window,
        "Backing up the database",
        lambda uow, _job, force: backup.backup(uow.ctx, path, force=force),
        done,
        delay_ms=200,
    )


def restore(window: Any) -> None:
    env = window.env
    if env.runner.busy:
        env.interaction.inform(window, TITLE_RESTORE, "Wait until the running action has finished.")
        return
    chosen = env.interaction.open_path(window, "Restore the database from", str(_folder(env)), _filters(env))
    if not chosen or not window.may_discard_changes():
        return
    path = Path(chosen)
    database = env.ctx.location

    def checked(info: BackupInfo) -> None:
        if not env.interaction.confirm(
            window,
            TITLE_RESTORE,
            f"Replace every record of the database {database} with the backup {info.path.name} "
            f"({_size(info.size)}, schema {info.revision})?\n\nEverything entered since that backup is "
            "lost, on every workstation that uses this database: ask the other users to close the "
            "program first. The open screens are reloaded.",
        ):
            return
        env.runner.run(
            window, "Restoring the database", lambda uow, _job: backup.restore(uow.ctx, path), restored, delay_ms=0
        )

    def restored(info: BackupInfo) -> None:
        window.reopen_screens()
        window.update_access()
        env.interaction.inform(window, TITLE_RESTORE, f"The database {database} is restored from {info.path}.")

    env.runner.run(
        window, "Checking the backup", lambda uow, _job: backup.inspect(uow.ctx, path), checked, delay_ms=200
    )
