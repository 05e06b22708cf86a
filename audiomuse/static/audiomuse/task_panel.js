// The task status panel and the "Start ..." forms of the dashboard and cleaning pages.
//
// Polls the task API (the same routes AudioMuse-AI clients use) and renders one
// main task: the running one, else the one this page last watched, else the
// latest. When a task it saw running ends, the page reloads so the
// server-rendered counts and results show the outcome (one renderer for those).
(function () {
  "use strict";

  const POLL_INTERVAL_MS = 1500;
  const LOG_LINES_SHOWN = 15;
  const ACTIVE_STATES = ["PENDING", "STARTED", "PROGRESS"];
  // Tasks are started and cancelled by staff only: say so rather than a bare "forbidden".
  const STATUS_HINTS = { 403: "Only staff users can start or cancel tasks." };
  const callApi = (method, url, body) => window.AudioMuseApi.callApi(method, url, body, STATUS_HINTS);

  function formatDuration(totalSeconds) {
    const seconds = Math.max(0, Math.floor(totalSeconds));
    const hours = Math.floor(seconds / 3600);
    const minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
    return `${hours}:${minutes}:${String(seconds % 60).padStart(2, "0")}`;
  }

  function showError(element, message) {
    element.textContent = message || "";
    element.hidden = !message;
  }

  class TaskPanel {
    constructor(root, initialTask) {
      this.root = root;
      this.field = (name) => root.querySelector(`[data-field="${name}"]`);
      this.cancelButton = root.querySelector('[data-action="cancel"]');
      this.task = null;
      this.watchedTaskId = null;
      this.startedTaskId = null;
      this.polling = false;
      this.pollAgainSoon = false;
      this.showingPollError = false;
      this.runningSeconds = 0;
      this.receivedAt = 0;
      if (this.cancelButton) this.cancelButton.addEventListener("click", () => this.cancel());
      if (initialTask && initialTask.task_id) this.render(initialTask);
    }

    start() {
      this.poll();
      setInterval(() => this.tickRunningTime(), 1000);
    }

    // Follow a task this page just started, without waiting for the next poll. Until it ends it
    // wins over older tasks, and its end counts even if it finishes before a poll sees it running.
    watch(taskId) {
      this.startedTaskId = taskId;
      this.poll();
    }

    // One poll at a time: a request for another while one is in flight runs right after it.
    async poll() {
      if (this.polling) {
        this.pollAgainSoon = true;
        return;
      }
      this.polling = true;
      clearTimeout(this.nextPoll);
      try {
        this.render(await this.fetchTask());
        // Clear only what polling reported, so a Cancel error stays until the next action.
        if (this.showingPollError) showError(this.field("error"), "");
        this.showingPollError = false;
      } catch (failure) {
        showError(this.field("error"), `Status unavailable: ${failure.message} Retrying...`);
        this.showingPollError = true;
      } finally {
        this.polling = false;
      }
      const delay = this.pollAgainSoon ? 0 : POLL_INTERVAL_MS;
      this.pollAgainSoon = false;
      this.nextPoll = setTimeout(() => this.poll(), delay);
    }

    async fetchTask() {
      const active = await callApi("GET", "/api/active_tasks");
      if (active.task_id) return active;
      const followed = this.startedTaskId || this.watchedTaskId;
      if (followed) {
        try {
          return await callApi("GET", `/api/status/${encodeURIComponent(followed)}`);
        } catch (failure) {
          if (failure.status !== 404) throw failure;
          this.startedTaskId = this.watchedTaskId = null; // deleted meanwhile: fall back to the latest task
        }
      }
      return callApi("GET", "/api/last_task");
    }

    render(task) {
      if (!task.task_id) return; // no task has ever run: keep the placeholders
      const state = task.state || task.status;
      const wasActive = this.task !== null && this.task.task_id === task.task_id && this.isActive();
      this.task = { ...task, state };
      this.watchedTaskId = task.task_id;
      this.runningSeconds = task.running_time_seconds || 0;
      this.receivedAt = Date.now();

      this.field("task-id").textContent = task.task_id;
      this.field("task-type").textContent = task.task_type || task.task_type_from_db || "";
      const badge = this.field("status");
      badge.textContent = state;
      badge.className = `badge ${state}`;
      this.field("message").textContent = (task.details && task.details.status_message) || task.status_message || "-";
      this.renderProgress(state, task.progress || 0);
      this.renderLog((task.details && task.details.log) || []);
      this.tickRunningTime();
      if (this.cancelButton) this.cancelButton.hidden = !this.isActive();
      const justEnded = !this.isActive() && (wasActive || this.startedTaskId === task.task_id);
      if (justEnded) {
        this.startedTaskId = null;
        this.root.dispatchEvent(new CustomEvent("task-finished", { detail: task }));
      }
    }

    renderProgress(state, progress) {
      const bar = this.field("progress-bar");
      bar.className = `progress ${state}`;
      bar.setAttribute("aria-valuenow", String(progress));
      bar.firstElementChild.style.width = `${progress}%`;
      this.field("progress-text").textContent = `${progress}%`;
    }

    renderLog(lines) {
      const log = this.field("log");
      const nearBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 30;
      log.textContent = lines.length ? lines.slice(-LOG_LINES_SHOWN).join("\n") : "No log yet.";
      if (nearBottom) log.scrollTop = log.scrollHeight; // follow new lines unless the user scrolled up
    }

    isActive() {
      return this.task !== null && ACTIVE_STATES.includes(this.task.state);
    }

    // Between polls the clock keeps moving on the client, from the server's last figure.
    tickRunningTime() {
      if (!this.task) return;
      const elapsed = this.isActive() ? (Date.now() - this.receivedAt) / 1000 : 0;
      this.field("running-time").textContent = formatDuration(this.runningSeconds + elapsed);
    }

    async cancel() {
      if (!this.isActive()) return;
      this.cancelButton.disabled = true;
      try {
        await callApi("POST", `/api/cancel/${encodeURIComponent(this.task.task_id)}`);
        showError(this.field("error"), "");
        this.poll();
      } catch (failure) {
        showError(this.field("error"), `Could not cancel: ${failure.message}`);
      } finally {
        this.cancelButton.disabled = false;
      }
    }
  }

  // Number inputs become JSON numbers and checkboxes booleans; other fields (selects) stay
  // strings. Empty fields are left out so the API uses its default.
  function formPayload(form) {
    const payload = {};
    for (const field of form.elements) {
      if (!field.name || field.disabled) continue;
      if (field.type === "checkbox") {
        payload[field.name] = field.checked;
      } else if (String(field.value).trim() !== "") {
        payload[field.name] = field.type === "number" ? Number(field.value) : field.value;
      }
    }
    return payload;
  }

  function connectStartForm(form, panel) {
    const button = form.querySelector('button[type="submit"]');
    const error = form.querySelector('[data-field="error"]');
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      try {
        const started = await callApi("POST", form.dataset.startUrl, formPayload(form));
        showError(error, "");
        panel.watch(started.task_id);
      } catch (failure) {
        showError(error, failure.message);
      } finally {
        button.disabled = false;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const root = document.querySelector("[data-task-panel]");
    if (!root) return;
    const initial = document.getElementById("initial-task");
    const panel = new TaskPanel(root, initial ? JSON.parse(initial.textContent) : null);
    // A short pause lets the user see the final state before the page refreshes its counts.
    root.addEventListener("task-finished", () => setTimeout(() => window.location.reload(), 1000));
    document.querySelectorAll("form[data-start-url]").forEach((form) => connectStartForm(form, panel));
    panel.start();
  });
})();
