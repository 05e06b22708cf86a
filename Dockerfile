# syntax=docker/dockerfile:1
# Multi-stage image: dependencies and models are built once in `build`;
# the runtime image holds only the virtualenv, the models and the code.

FROM python:3.13-slim-trixie AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/base.txt \
 && pip install --no-deps -r requirements/models.txt
COPY . .
# Convert the musicnn checkpoints to ONNX now, so containers start with models in place.
RUN SECRET_KEY=build API_TOKEN=build AUDIOMUSE_DATA_DIR=/tmp/build MODEL_DIR=/opt/models \
    python manage.py build_models

FROM python:3.13-slim-trixie
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    AUDIOMUSE_DATA_DIR=/data \
    MODEL_DIR=/opt/models \
    AUDIOMUSE_BIND=0.0.0.0:8000 \
    MUSIC_DIR=/music
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 1000 --home /data audiomuse \
 && mkdir -p /data /music \
 && chown audiomuse /data
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/models /opt/models
COPY --from=build /app /app
WORKDIR /app
USER audiomuse
EXPOSE 8000
VOLUME ["/data"]
# One image, three roles: `run web` (default), `run worker`, `run beat`.
CMD ["python", "manage.py", "run", "web"]
