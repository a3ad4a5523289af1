"""Admin classes whose writes go through services, so the rules hold in the admin site too.

A ``ServiceAdmin`` names the services that create, update and delete its model; Django's admin keeps
building the forms and pages. A service that refuses (``ValidationError``) is shown as an error message,
and nothing of the refused change is written: the admin's own transaction is rolled back, never a 500.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.urls import reverse

from core.views import form_add_errors

REFUSED = "_service_refused"  # the request attribute carrying a refusal into the form shown again


def form_fields(form, *, changed_only: bool, many_to_many: bool = False) -> dict:
    """The model fields of an admin form as the service takes them (many-to-many ones only if asked:
    then the admin class sets ``service_saves_many_to_many``)."""
    model = form._meta.model
    names = {f.name for f in model._meta.concrete_fields}
    if many_to_many:
        names |= {f.name for f in model._meta.many_to_many}
    wanted = form.changed_data if changed_only else form.cleaned_data
    return {name: form.cleaned_data[name] for name in wanted if name in names and name in form.cleaned_data}


class ServiceAdmin(admin.ModelAdmin):
    """Subclasses implement ``service_create``, ``service_update`` and ``service_delete``."""

    # True when the services take the form's many-to-many fields too (the admin then does not save them).
    service_saves_many_to_many = False

    def service_create(self, request, obj: Model, form) -> Model:
        raise NotImplementedError(f"{type(self).__name__} 没有指定新增所用的服务。")

    def service_update(self, request, obj: Model, form) -> Model:
        raise NotImplementedError(f"{type(self).__name__} 没有指定修改所用的服务。")

    def service_delete(self, request, obj: Model) -> None:
        raise NotImplementedError(f"{type(self).__name__} 没有指定删除所用的服务。")

    # -- Django's hooks, routed to the services ----------------------------------------------------------

    def save_model(self, request, obj, form, change) -> None:
        saved = self.service_update(request, obj, form) if change else self.service_create(request, obj, form)
        if saved is not None and saved is not obj:
            # The admin goes on with ``obj`` (related rows, log entry, redirect): give it what was saved.
            for field in obj._meta.concrete_fields:
                setattr(obj, field.attname, getattr(saved, field.attname))
            obj._state.adding, obj._state.db = False, saved._state.db

    def save_related(self, request, form, formsets, change) -> None:
        if not self.service_saves_many_to_many:
            return super().save_related(request, form, formsets, change)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj) -> None:
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        # All or nothing: one refusal leaves every selected record in place.
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self.service_delete(request, obj)

    # -- a refusal is a message, and nothing is written ----------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, REFUSED, None)
        if refused is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                form_add_errors(self, refused)
                return cleaned

        return RefusedForm

    def _refused(self, request, error: ValidationError) -> None:
        messages.error(request, "；".join(error.messages))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # The view's transaction is rolled back; the form is shown again with what the user typed.
            self._refused(request, error)
            setattr(request, REFUSED, error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as error:
            self._refused(request, error)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            )

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            # Bulk actions log before they delete: the log entries go too when a service refuses.
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        except ValidationError as error:
            self._refused(request, error)
            return HttpResponseRedirect(request.get_full_path())
