// The Song Path page: start and end songs -> /api/find_path -> the path, a chart of its steps, a playlist.
(function () {
  "use strict";

  const { callApi, apiUrl, showMessage, whileBusy, songTitle, fieldValue, plot, chartText } = window.AudioMuseSongTools;
  const { SongAutocomplete, ResultsPanel } = window.AudioMuseSongTools;

  // Each path row's distance is from the song before it (0 for the start), so step i ends at song i.
  function drawSteps(element, path) {
    const steps = path.slice(1);
    const trace = {
      type: "scatter",
      mode: "lines+markers",
      name: "Step distance",
      x: steps.map((song, index) => index + 1),
      y: steps.map((song) => song.distance),
      text: steps.map((song, index) => chartText(`${songTitle(path[index])} → ${songTitle(song)}`)),
      hovertemplate: "%{text}<br>distance %{y:.3f}<extra></extra>",
      line: { color: "#3b5bdb" },
    };
    return plot(element, [trace], {
      xaxis: { title: { text: "Step" }, tickmode: "linear", dtick: 1 },
      yaxis: { title: { text: "Distance" }, rangemode: "tozero" },
      showlegend: false,
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector('form[data-form="path"]');
    const start = new SongAutocomplete(form.querySelector("#start_song"));
    const end = new SongAutocomplete(form.querySelector("#end_song"));
    const results = new ResultsPanel(document.querySelector("[data-results-panel]"));
    const chartCard = document.querySelector("[data-chart-card]");
    const button = form.querySelector('button[type="submit"]');
    const error = form.querySelector('[data-field="error"]');

    async function findPath(from, to) {
      const url = apiUrl("/api/find_path", {
        start_song_id: from.item_id,
        end_song_id: to.item_id,
        max_steps: fieldValue(form, "max_steps"),
        path_fix_size: fieldValue(form, "path_fix_size"),
      });
      const found = await callApi("GET", url);
      const summary = `${found.path.length} songs, total distance ${found.total_distance.toFixed(3)}`;
      results.show(found.path, { playlistName: `Path from ${songTitle(from)} to ${songTitle(to)}`, summary });
      chartCard.hidden = false; // Plotly measures its container: show it before drawing
      await drawSteps(chartCard.querySelector("[data-chart]"), found.path);
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!start.selected || !end.selected) {
        showMessage(error, "Pick a start and an end song from the suggestions first.");
        return;
      }
      showMessage(error, "");
      await whileBusy(button, "Finding...", async () => {
        try {
          await findPath(start.selected, end.selected);
        } catch (failure) {
          results.clear();
          chartCard.hidden = true;
          showMessage(error, failure.message);
        }
      });
    });
  });
})();
