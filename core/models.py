"""Cross-app records: background jobs (DESIGN.md §7 jobs/{id})."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.access import Scope


class Job(models.Model):
    access_scope = Scope(owner="created_by_id")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("任务类型"), max_length=50)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("发起人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    request_id = models.CharField(
        _("请求编号"), max_length=64, blank=True
    )  # the request that started it (logs)
    # The Celery node running it: when that node starts again, what it was running died with it.
    worker = models.CharField(_("执行节点"), max_length=200, blank=True)
    # Written every JOB_HEARTBEAT_SECONDS while a worker runs the job (core.jobs); empty for inline runs.
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]


class ImportRecord(models.Model):
    """Every roster upload is kept: who, when, the file, the counts and the errors (issue: Excel rosters)."""

    access_scope = Scope(owner="created_by_id")

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        CHECKED = "checked", _("已校验")
        FAILED = "failed", _("有错误")
        COMMITTED = "committed", _("已导入")

    roster = models.CharField(_("花名册"), max_length=40)
    original_name = models.CharField(_("文件名"), max_length=255)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    error_file = models.FileField(_("错误标注文件"), upload_to="imports/errors/%Y/%m/", blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.UPLOADED)
    dry_run = models.BooleanField(_("仅校验"), default=True)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("任务"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("上传人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("导入记录")
        ordering = ["-created_at"]


class AccessLog(models.Model):
    """Who saw what (issue 11, privacy and audit): every export, every download of an import or error file,
    and every view of a full ID number by an official — who, when, what, how many rows."""

    access_scope = Scope(owner="user_id")  # a user sees their own entries; county admin and inspectors all

    class Kind(models.TextChoices):
        EXPORT = "export", _("导出")
        IMPORT_FILE = "import_file", _("下载导入文件")
        ERROR_FILE = "error_file", _("下载错误标注文件")
        ID_NUMBER = "id_number", _("查看完整身份证号")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("用户")
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, db_index=True)
    what = models.CharField(_("对象"), max_length=255)
    rows = models.PositiveIntegerField(_("行数"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("访问记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["user", "-at"], name="accesslog_user_at")]
