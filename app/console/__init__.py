"""The staff console: server-rendered pages (Jinja2, htmx where it helps) over the same services as
the API, in Bahasa Indonesia, for people who sign in with e-mail and password.

Layout
- `web.py`: `render()`, the templates (filters `label` and `day` → "4 Juli 2022"), the
  navigation, the strict CSP, and the dependencies `ConsolePage` (signed in, else a redirect to
  /masuk) and `ConsolePost` (signed in and the form's CSRF token checked, else 403).
- `session.py`: sign-in, sessions, CSRF tokens, `set_password`. `models.py`: the session table.
- `forms.py`: the one home of every write (a form's post → the API's service, its Idempotency-Key,
  errors next to fields, stale edits, the redirect and its message); read its docstring before
  adding a form. `flash.py`: the message shown once after a write. `templates/_form.html`: the
  form parts (`console_form`, `field`, `text_area`, `choice`, `tick`).
- `pages/`: one module per page group, each with a `router`; `pages/__init__.py` lists them.
- `templates/`: `base.html` (navigation, skip link, user, sign-out) and one template per page;
  partials are `{% block %}`s of the page's template (render one with htmx when it helps).
- `static/`: our CSS and htmx (pinned, with its licence; see static/README.md).

How to add a page (e.g. Perjanjian)
1. `pages/perjanjian.py`:

       router = APIRouter()

       @router.get("/perjanjian", response_class=HTMLResponse)
       def agreements(request: Request, signed: ConsolePage, session: SessionDep, ...):
           page = agreements_service.list_agreements(session=session, caller=signed.caller, ...)
           return render(request, "perjanjian.html", signed=signed, nav="/perjanjian", page=page)

   Call the services the API route calls, with `signed.caller`: no SQL and no rule here.
   A write is a form of `forms.py` (see there): its router is `write_router()`, its post takes
   `signed: ConsolePost` and hands `submit()` what to do.
2. Add the module's `router` to `ROUTERS` in `pages/__init__.py`.
3. `templates/perjanjian.html`: `{% extends "base.html" %}`, a `title` block naming the page,
   content in `main`. Labels of enums only through `{{ value | label }}`, dates `{{ day | day }}`.
   No inline script or style (the CSP refuses them); CSS goes in static/console.css.
4. Tests in tests/console/: through TestClient, and in the browser harness (accessibility,
   360 px, keyboard, no request off the host).

Paths are Indonesian (what staff see in the address bar): /perjanjian, /perjanjian/{id},
/cakupan/{nk_id}, /tenggat, /kewajiban, /organisasi, /hasil, /riwayat/{subject}/{id}; filters use
the API's query names (`?kind=nk&status=active`, `expiring_before=`).
"""
