// The Alchemy page: songs to include or exclude, as cards -> POST /api/alchemy -> a 2-D map of the
// blend, the results and a playlist.
(function () {
  "use strict";

  const { callApi, showMessage, whileBusy, songTitle, songLabel, fieldValue } = window.AudioMuseSongTools;
  const { plot, chartText, SongAutocomplete, ResultsPanel } = window.AudioMuseSongTools;

  const INCLUDE = "ADD";
  const EXCLUDE = "SUBTRACT";

  // One look per kind of point, so the map reads without its legend too.
  const OUTLINE = { width: 2, color: "#fff" };
  const MARKERS = {
    results: { name: "Results", marker: { symbol: "circle", size: 8, color: "#3b5bdb" } },
    filtered: { name: "Filtered out", marker: { symbol: "x", size: 8, color: "#adb5bd" } },
    included: { name: "Included songs", marker: { symbol: "star", size: 16, color: "#2b8a3e" } },
    excluded: { name: "Excluded songs", marker: { symbol: "star", size: 16, color: "#c92a2a" } },
    includeCentre: { name: "Include centre", marker: { symbol: "diamond", size: 14, color: "#2b8a3e", line: OUTLINE } },
    excludeCentre: { name: "Exclude centre", marker: { symbol: "diamond", size: 14, color: "#c92a2a", line: OUTLINE } },
  };

  // The songs of the blend, each shown as a card with its Include/Exclude choice and a Remove button.
  class BlendCards {
    constructor(container, emptyNote) {
      this.container = container;
      this.emptyNote = emptyNote;
      this.entries = []; // [{song, op, card}]
      this.cardsMade = 0; // gives every card's radio group its own name
    }

    has(song) {
      return this.entries.some((entry) => entry.song.item_id === song.item_id);
    }

    add(song) {
      const entry = { song, op: INCLUDE };
      entry.card = this.cardFor(entry);
      this.entries.push(entry);
      this.container.append(entry.card);
      this.emptyNote.hidden = true;
    }

    remove(entry) {
      this.entries = this.entries.filter((other) => other !== entry);
      entry.card.remove();
      this.emptyNote.hidden = this.entries.length > 0;
    }

    cardFor(entry) {
      const card = document.createElement("div");
      card.className = "alchemy-card";
      card.dataset.itemId = entry.song.item_id;
      const title = document.createElement("div");
      title.className = "song";
      title.textContent = songTitle(entry.song);
      const artist = document.createElement("div");
      artist.className = "artist";
      artist.textContent = entry.song.author || "Unknown artist";
      card.append(title, artist, this.controlsFor(entry, card));
      return card;
    }

    controlsFor(entry, card) {
      const controls = document.createElement("div");
      controls.className = "controls";
      controls.setAttribute("role", "radiogroup");
      controls.setAttribute("aria-label", `Include or exclude ${songLabel(entry.song)}`);
      const group = `op-${++this.cardsMade}`;
      for (const [op, label] of [[INCLUDE, "Include"], [EXCLUDE, "Exclude"]]) {
        const choice = document.createElement("label");
        const radio = document.createElement("input");
        Object.assign(radio, { type: "radio", name: group, value: op, checked: op === entry.op });
        radio.addEventListener("change", () => {
          entry.op = op;
          card.classList.toggle("exclude", op === EXCLUDE);
        });
        choice.append(radio, ` ${label}`);
        controls.append(choice);
      }
      const remove = document.createElement("button");
      Object.assign(remove, { type: "button", className: "remove", textContent: "Remove" });
      remove.setAttribute("aria-label", `Remove ${songLabel(entry.song)}`);
      remove.addEventListener("click", () => this.remove(entry));
      controls.append(remove);
      return controls;
    }

    items() {
      return this.entries.map((entry) => ({ id: entry.song.item_id, op: entry.op, type: "song" }));
    }

    titles(op) {
      return this.entries.filter((entry) => entry.op === op).map((entry) => songTitle(entry.song));
    }
  }

  function pointsTrace(style, points, hoverText) {
    const placed = points.filter((point) => Array.isArray(point.embedding_2d));
    return {
      type: "scatter",
      mode: "markers",
      ...style,
      x: placed.map((point) => point.embedding_2d[0]),
      y: placed.map((point) => point.embedding_2d[1]),
      text: placed.map((point) => chartText(hoverText(point))),
      hovertemplate: "%{text}<extra>%{fullData.name}</extra>",
    };
  }

  function drawBlend(element, blend) {
    const centre = (xy, title) => (xy ? [{ embedding_2d: xy, title }] : []);
    const byTitle = (point) => point.title;
    // Drawn back to front: the inputs and centres stay visible above the clouds of songs.
    const traces = [
      pointsTrace(MARKERS.filtered, blend.filtered_out, songLabel),
      pointsTrace(MARKERS.results, blend.results, songLabel),
      pointsTrace(MARKERS.included, blend.add_points, songLabel),
      pointsTrace(MARKERS.excluded, blend.sub_points, songLabel),
      pointsTrace(MARKERS.includeCentre, centre(blend.add_centroid_2d, "Centre of the included songs"), byTitle),
      pointsTrace(MARKERS.excludeCentre, centre(blend.subtract_centroid_2d, "Centre of the excluded songs"), byTitle),
    ].filter((trace) => trace.x.length > 0);
    const projection = String(blend.projection).toUpperCase();
    const axis = (number) => ({ title: { text: `${projection} ${number}` }, zeroline: false });
    return plot(element, traces, { xaxis: axis(1), yaxis: axis(2), legend: { orientation: "h", y: -0.15 } });
  }

  function playlistName(cards) {
    const excluded = cards.titles(EXCLUDE);
    const name = `Alchemy: ${cards.titles(INCLUDE).join(" + ")}`;
    return excluded.length ? `${name} - ${excluded.join(" - ")}` : name;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector('form[data-form="alchemy"]');
    const error = form.querySelector('[data-field="error"]');
    const cards = new BlendCards(
      form.querySelector('[data-field="cards"]'), form.querySelector('[data-field="no-cards"]'),
    );
    const picker = new SongAutocomplete(form.querySelector("#add_song"), {
      onPick(song) {
        picker.clear(); // ready for the next song
        if (cards.has(song)) {
          showMessage(error, `${songLabel(song)} is already in the blend.`);
          return;
        }
        showMessage(error, "");
        cards.add(song);
      },
    });
    const slider = form.elements.subtract_distance;
    const sliderValue = form.querySelector('[data-field="subtract-distance-value"]');
    slider.addEventListener("input", () => {
      sliderValue.textContent = Number(slider.value).toFixed(2);
    });
    const results = new ResultsPanel(document.querySelector("[data-results-panel]"));
    const chartCard = document.querySelector("[data-chart-card]");
    const button = form.querySelector('button[type="submit"]');

    async function runAlchemy() {
      const blend = await callApi("POST", "/api/alchemy", {
        items: cards.items(),
        n: fieldValue(form, "n"),
        temperature: fieldValue(form, "temperature"),
        subtract_distance: fieldValue(form, "subtract_distance"),
      });
      const filtered = blend.filtered_out.length;
      const filteredNote = filtered ? `, ${filtered} filtered out by the excluded songs` : "";
      const summary = `${blend.results.length} songs${filteredNote}`;
      results.show(blend.results, { playlistName: playlistName(cards), summary });
      chartCard.hidden = false; // Plotly measures its container: show it before drawing
      await drawBlend(chartCard.querySelector("[data-chart]"), blend);
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!cards.titles(INCLUDE).length) {
        showMessage(error, "Include at least one song: add one and leave it on Include.");
        return;
      }
      showMessage(error, "");
      await whileBusy(button, "Blending...", async () => {
        try {
          await runAlchemy();
        } catch (failure) {
          results.clear();
          chartCard.hidden = true;
          showMessage(error, failure.message);
        }
      });
    });
  });
})();
