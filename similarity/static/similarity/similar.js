// The Similar Song page: a seed song from the autocomplete -> /api/similar_tracks -> results and playlist.
(function () {
  "use strict";

  const { callApi, apiUrl, showMessage, whileBusy, songTitle, fieldValue, SongAutocomplete, ResultsPanel } =
    window.AudioMuseSongTools;

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector('form[data-form="similar"]');
    const seed = new SongAutocomplete(form.querySelector("#seed_song"));
    const results = new ResultsPanel(document.querySelector("[data-results-panel]"));
    const button = form.querySelector('button[type="submit"]');
    const error = form.querySelector('[data-field="error"]');

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const song = seed.selected;
      if (!song) {
        showMessage(error, "Pick a song from the suggestions first.");
        return;
      }
      showMessage(error, "");
      const url = apiUrl("/api/similar_tracks", {
        item_id: song.item_id,
        n: fieldValue(form, "n"),
        eliminate_duplicates: fieldValue(form, "eliminate_duplicates"),
        radius_similarity: fieldValue(form, "radius_similarity"),
      });
      await whileBusy(button, "Searching...", async () => {
        try {
          const songs = await callApi("GET", url);
          results.show(songs, { playlistName: `Similar to ${songTitle(song)}` });
        } catch (failure) {
          results.clear();
          showMessage(error, failure.message);
        }
      });
    });
  });
})();
