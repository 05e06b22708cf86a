// The Sonic Fingerprint page: optional per-user credentials -> /api/sonic_fingerprint/generate ->
// results and a playlist (theirs, when their credentials were given). A server without play history answers 4xx with the reason: shown as is.
(function () {
  "use strict";

  const { callApi, showMessage, whileBusy, fieldValue, ResultsPanel } = window.AudioMuseSongTools;

  // Only the fields this server type offers are in the form (see fingerprint.html).
  const CREDENTIAL_FIELDS = ["jellyfin_user_identifier", "jellyfin_token", "navidrome_user", "navidrome_password"];

  // POST rather than GET: a token or password must not end up in URLs and access logs.
  function requestBody(form) {
    const body = { n: fieldValue(form, "n") };
    for (const name of CREDENTIAL_FIELDS) {
      if (form.elements[name] && fieldValue(form, name) !== "") body[name] = fieldValue(form, name);
    }
    return body;
  }

  // The same credentials make the playlist theirs; create_playlist reads these names in user_creds.
  function userCreds(body) {
    const given = CREDENTIAL_FIELDS.filter((name) => body[name] !== undefined);
    return given.length ? Object.fromEntries(given.map((name) => [name, body[name]])) : null;
  }

  function playlistName(body) {
    const user = body.jellyfin_user_identifier || body.navidrome_user;
    return user ? `Sonic Fingerprint of ${user}` : "Sonic Fingerprint";
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector('form[data-form="fingerprint"]');
    const results = new ResultsPanel(document.querySelector("[data-results-panel]"));
    const button = form.querySelector('button[type="submit"]');
    const error = form.querySelector('[data-field="error"]');

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      showMessage(error, "");
      const body = requestBody(form);
      await whileBusy(button, "Generating...", async () => {
        try {
          const songs = await callApi("POST", "/api/sonic_fingerprint/generate", body);
          results.show(songs, { playlistName: playlistName(body), userCreds: userCreds(body) });
        } catch (failure) {
          results.clear();
          showMessage(error, failure.message);
        }
      });
    });
  });
})();
