from cchc.plans.reminders import unread_count


def my_work(request):
    """The count of unread reminders shown in the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_work_count": unread_count(user)}
