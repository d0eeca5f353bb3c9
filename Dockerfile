# This repository is itself a Docker Space: it builds the reference Space of fixtures/ (the
# deployment-observability API). .dockerignore keeps the Rust sources out of the build context.
FROM python:3.11-slim

ARG APP_VERSION=0.1.0
ARG GIT_COMMIT=unknown

# The Hub runs the container as UID 1000: build as that user so it owns what it needs to write.
RUN useradd -m -u 1000 user
USER user
ENV HOME=/home/user \
    PATH=/home/user/.local/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    APP_VERSION=${APP_VERSION} \
    GIT_COMMIT=${GIT_COMMIT}
ENV APP_PORT=7255
WORKDIR $HOME/app

COPY --chown=user fixtures/reference-space/requirements.txt .
RUN pip install --no-cache-dir --user -r requirements.txt
COPY --chown=user fixtures/reference-space/main.py .

EXPOSE 7255
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7255/healthz', timeout=2)" || exit 1
CMD ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "7255"]
