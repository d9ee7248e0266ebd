"""What each message says, in the reader's language (``Words``): its subject and its body. The outbox,
the registration form, invitations, the waitlist and sick-day cover compose their messages here, so every
sentence is in the catalogues (``locale/``) and every amount and date is written the reader's way.

Not here: the weekly digest and the other summaries (``copilot/summaries.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from domain.notifications.words import Words


def N_(message: str) -> str:
    """Marks a sentence for the catalogues where it is written, translated where it is used."""
    return message


AUTOMATIC = N_("This is an automatic message; replies are not read.")


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def payment_reminder(
    w: Words, *, name: str, amount: Decimal | str, currency: str, link: str, until: date
) -> Text:
    return Text(
        w("Tuition reminder"),
        "\n\n".join(
            [
                w("Hello {name},", name=name),
                w(
                    "Our records show {amount} of tuition still open. If you have already paid by bank "
                    "transfer, thank you: you can upload the receipt here and we will match it:",
                    amount=w.money(amount, currency),
                )
                + f"\n{link}",
                w("The link works until {date}.", date=w.day(until)),
                w(AUTOMATIC),
            ]
        ),
    )


def class_line(w: Words, *, group: str | None, day: date, start: time | None, end: time | None = None) -> str:
    """'Salsa Beginners on Monday 7 December at 18:30' / 'Salsa Beginners el lunes, 7 de diciembre a las
    18:30' (with its end: 'at 18:30–19:30')."""
    name = group or w("Your class")
    if start is None:
        return w("{group} on {day}", group=name, day=w.weekday(day))
    clock = w.clock(start) + (f"–{w.clock(end)}" if end else "")
    return w("{group} on {day} at {time}", group=name, day=w.weekday(day), time=clock)


def session_cancelled(w: Words, *, line: str, reason: str | None) -> Text:
    body = w("{line} is cancelled: {reason}.", line=line, reason=reason) if reason else None
    return Text(w("Class cancelled"), body or w("{line} is cancelled.", line=line))


def schedule_changed(w: Words, *, line: str) -> Text:
    return Text(w("Schedule change"), w("Changed: {line}. Please check your schedule.", line=line))


def payout_approved(w: Words, *, start: date, end: date, amount: Decimal, currency: str) -> Text:
    return Text(
        w("Payout approved"),
        w(
            "Your payout for {start} to {end} was approved: {amount}.",
            start=w.day(start),
            end=w.day(end),
            amount=w.money(amount, currency),
        ),
    )


def substitute(w: Words, *, line: str, teacher: str) -> Text:
    return Text(
        w("Your class has a substitute teacher"),
        w("{line} goes ahead, taught by {teacher}.", line=line, teacher=teacher),
    )


def cancelled_for_absence(w: Words, *, line: str) -> Text:
    return Text(w("Class cancelled"), w("{line} is cancelled: the teacher is ill. Sorry!", line=line))


def waitlist_offer(w: Words, *, group: str, name: str, from_day: date) -> Text:
    return Text(
        w("A place in {group} for {name}", group=group, name=name),
        w(
            "A place is free in {group} from {date}. {name} is next on its waitlist. Enrol them from the "
            "group's page to confirm; nothing changes until you do.",
            group=group,
            date=w.day(from_day),
            name=name,
        ),
    )


ROLES = {"admin": N_("an administrator"), "staff": N_("office staff"), "teacher": N_("a teacher")}


def invitation(w: Words, *, inviter: str, school: str, role: str, link: str, until: date) -> Text:
    return Text(
        w("{inviter} invites you to {school} on Cadence", inviter=inviter, school=school),
        "\n\n".join(
            [
                w("Hello,"),
                w(
                    "{inviter} has invited you to join {school} as {role}. Open this link to create your "
                    "account (or log in) and join:",
                    inviter=inviter,
                    school=school,
                    role=w(ROLES.get(role, role)),
                )
                + f"\n{link}",
                w(
                    "The invitation works until {date}. If you were not expecting it, ignore this email.",
                    date=w.day(until),
                ),
                w(AUTOMATIC),
            ]
        ),
    )


def registration_received(w: Words, *, name: str, school: str) -> Text:
    return Text(
        w("{school} has your registration request", school=school),
        "\n\n".join(
            [
                w("Hello {name},", name=name),
                w(
                    "Thank you for your interest in {school}. We have your request to join and will contact "
                    "you soon.",
                    school=school,
                ),
                w(AUTOMATIC),
            ]
        ),
    )
