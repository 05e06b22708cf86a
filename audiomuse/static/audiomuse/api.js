// The one way our pages talk to the JSON API: the session cookie, the CSRF token base.html puts in
// <meta name="csrf-token">, and every failure turned into an ApiError carrying the API's own `error`
// text, so a page can show the server's message as it is.
window.AudioMuseApi = (function () {
  "use strict";

  // A 403 means different things on different pages (staff only, or a stale CSRF token): pages say which.
  const STATUS_HINTS = { 401: "Your session has ended: log in again." };

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // `hints` adds page-specific advice per HTTP status to the API's message.
  async function callApi(method, url, body, hints = {}) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = csrfToken();
    }
    let response;
    try {
      response = await fetch(url, {
        method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (networkFailure) {
      throw new ApiError("Network error: the AudioMuse server could not be reached.", 0);
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const hint = hints[response.status] || STATUS_HINTS[response.status];
      const text = data.error || `Request failed (HTTP ${response.status}).`;
      throw new ApiError(hint ? `${text} ${hint}` : text, response.status);
    }
    return data;
  }

  return { ApiError, callApi, csrfToken };
})();
