# Production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY poverty_tracker/ poverty_tracker/
COPY core/ core/
COPY villages/ villages/
COPY accounts/ accounts/
COPY households/ households/
COPY assignments/ assignments/
COPY projects/ projects/
COPY dashboards/ dashboards/
COPY demo/ demo/
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput \
    && useradd --create-home app && mkdir -p /app/media && chown app /app/media
USER app
EXPOSE 8000
CMD ["gunicorn", "-c", "python:poverty_tracker.gunicorn_conf", "poverty_tracker.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120"]
