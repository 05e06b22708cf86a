// What the similarity pages share: the API helper, the song autocomplete, the results table and the
// create-playlist form. Each page's own small script (similar.js, path.js, ...) wires them to its form.
//
// Everything goes through the AudioMuse-AI compatible JSON API (audiomuse/api.js), so the pages
// show exactly what plugins get.
window.AudioMuseSongTools = (function () {
  "use strict";

  const SEARCH_URL = "/api/search_tracks";
  const CREATE_PLAYLIST_URL = "/api/create_playlist";
  const SEARCH_DELAY_MS = 250; // wait for a pause in typing: one search per word, not per key
  const SEARCH_MIN_CHARACTERS = 2;
  const PLAYLIST_NAME_MAX_LENGTH = 255; // the Playlist.name column

  const { ApiError, callApi } = window.AudioMuseApi;

  // "/api/x?a=1&b=true"; empty values are left out so the API applies its default.
  function apiUrl(path, params) {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null && String(value).trim() !== "") query.set(name, String(value));
    }
    const text = query.toString();
    return text ? `${path}?${text}` : path;
  }

  // kind: "error", "ok" or "warn" (base.html's .alert styles); an empty text hides the element.
  function showMessage(element, text, kind = "error") {
    element.textContent = text || "";
    element.className = `alert ${kind}`;
    element.hidden = !text;
  }

  // Runs `work` with the button disabled and saying what is happening; restored however it ends.
  async function whileBusy(button, busyLabel, work) {
    const label = button.textContent;
    button.disabled = true;
    button.textContent = busyLabel;
    button.setAttribute("aria-busy", "true");
    try {
      return await work();
    } finally {
      button.disabled = false;
      button.textContent = label;
      button.removeAttribute("aria-busy");
    }
  }

  function songTitle(song) {
    return song.title || song.item_id;
  }

  function songLabel(song) {
    return `${songTitle(song)} - ${song.author || "Unknown artist"}`;
  }

  function formatDistance(distance) {
    return typeof distance === "number" ? distance.toFixed(3) : "";
  }

  // A text input that suggests analysed songs as the user types and remembers the one picked.
  // Typing again forgets the pick, so the page never sends an id that no longer matches the text.
  class SongAutocomplete {
    constructor(input, { onPick } = {}) {
      this.input = input;
      this.list = document.getElementById(input.getAttribute("aria-controls"));
      this.pickedNote = input.parentElement.querySelector("[data-picked]");
      this.onPick = onPick || (() => {});
      this.selected = null;
      this.suggestions = [];
      this.activeIndex = -1;
      this.searchTimer = null;
      this.searchNumber = 0; // answers to searches older than the latest are dropped
      input.addEventListener("input", () => this.queueSearch());
      input.addEventListener("keydown", (event) => this.onKeyDown(event));
      input.addEventListener("blur", () => this.close());
      // mousedown, not click: it comes before the input's blur would close the list.
      this.list.addEventListener("mousedown", (event) => {
        event.preventDefault();
        const option = event.target.closest('[role="option"]');
        if (option) this.pick(Number(option.dataset.index));
      });
    }

    queueSearch() {
      this.select(null);
      clearTimeout(this.searchTimer);
      const query = this.input.value.trim();
      if (query.length < SEARCH_MIN_CHARACTERS) {
        this.searchNumber += 1;
        this.close();
        return;
      }
      this.searchTimer = setTimeout(() => this.search(query), SEARCH_DELAY_MS);
    }

    async search(query) {
      const number = ++this.searchNumber;
      try {
        const songs = await callApi("GET", apiUrl(SEARCH_URL, { search_query: query }));
        if (number === this.searchNumber) this.showSuggestions(songs);
      } catch (failure) {
        if (number === this.searchNumber) this.showNote(`Search failed: ${failure.message}`);
      }
    }

    showSuggestions(songs) {
      this.suggestions = songs;
      this.activeIndex = -1;
      if (!songs.length) {
        this.showNote("No analysed song matches.");
        return;
      }
      this.list.replaceChildren(...songs.map((song, index) => this.optionFor(song, index)));
      this.open();
    }

    optionFor(song, index) {
      const option = document.createElement("li");
      option.id = `${this.list.id}-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(index);
      option.textContent = songLabel(song);
      if (song.album) {
        const album = document.createElement("span");
        album.className = "muted small";
        album.textContent = ` (${song.album})`;
        option.append(album);
      }
      return option;
    }

    showNote(text) {
      this.suggestions = [];
      const note = document.createElement("li");
      note.className = "note";
      note.textContent = text;
      this.list.replaceChildren(note);
      this.open();
    }

    onKeyDown(event) {
      const count = this.suggestions.length;
      if (event.key === "Escape") {
        this.close();
      } else if ((event.key === "ArrowDown" || event.key === "ArrowUp") && count && !this.list.hidden) {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.highlight((this.activeIndex + step + count) % count);
      } else if (event.key === "Enter" && !this.list.hidden && this.activeIndex >= 0) {
        event.preventDefault(); // pick the song, do not submit the form
        this.pick(this.activeIndex);
      }
    }

    highlight(index) {
      this.activeIndex = index;
      this.list.querySelectorAll('[role="option"]').forEach((option, position) => {
        option.setAttribute("aria-selected", String(position === index));
        if (position === index) option.scrollIntoView({ block: "nearest" });
      });
      this.input.setAttribute("aria-activedescendant", `${this.list.id}-${index}`);
    }

    pick(index) {
      const song = this.suggestions[index];
      if (!song) return;
      this.close();
      this.input.value = songLabel(song);
      this.select(song);
      this.onPick(song);
    }

    select(song) {
      this.selected = song;
      this.input.dataset.itemId = song ? song.item_id : "";
      if (this.pickedNote) this.pickedNote.textContent = song ? `Selected: ${songLabel(song)}` : "";
    }

    clear() {
      this.input.value = "";
      this.select(null);
      this.close();
    }

    open() {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }

    close() {
      this.list.hidden = true;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  // Title, artist, album, distance: the columns every page shows. Built with textContent, never
  // HTML, because titles come from people's music tags.
  const SONG_COLUMNS = [
    ["#", (song, index) => String(index + 1)],
    ["Title", (song) => songTitle(song)],
    ["Artist", (song) => song.author || ""],
    ["Album", (song) => song.album || ""],
    ["Distance", (song) => formatDistance(song.distance)],
  ];

  function songTable(songs) {
    const table = document.createElement("table");
    const header = table.createTHead().insertRow();
    for (const [name] of SONG_COLUMNS) {
      const cell = document.createElement("th");
      cell.textContent = name;
      header.append(cell);
    }
    const body = table.createTBody();
    songs.forEach((song, index) => {
      const row = body.insertRow();
      row.dataset.itemId = song.item_id;
      for (const [, value] of SONG_COLUMNS) row.insertCell().textContent = value(song, index);
    });
    return table;
  }

  // An element a page marks with data-field="name" (alerts, counters, the result table).
  function field(root, name) {
    return root.querySelector(`[data-field="${name}"]`);
  }

  // The "Create playlist" form under a result list: POSTs the songs shown, reports what the server made.
  class PlaylistForm {
    constructor(form) {
      this.form = form;
      this.nameInput = form.querySelector('input[name="playlist_name"]');
      this.button = form.querySelector('button[type="submit"]');
      this.result = field(form, "playlist-result");
      this.songs = [];
      this.userCreds = null;
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.create();
      });
    }

    // userCreds: someone's own credentials, so the playlist is theirs (servers whose playlists have owners).
    offer(songs, defaultName, userCreds = null) {
      this.songs = songs;
      this.userCreds = userCreds;
      this.nameInput.value = defaultName.slice(0, PLAYLIST_NAME_MAX_LENGTH);
      showMessage(this.result, "");
      this.form.hidden = songs.length === 0;
    }

    async create() {
      const body = {
        playlist_name: this.nameInput.value.trim(),
        track_ids: this.songs.map((song) => song.item_id),
      };
      if (this.userCreds) body.user_creds = this.userCreds;
      if (!body.playlist_name) {
        showMessage(this.result, "Give the playlist a name.");
        return;
      }
      await whileBusy(this.button, "Creating...", async () => {
        try {
          const created = await callApi("POST", CREATE_PLAYLIST_URL, body);
          const skipped = created.skipped ? `, ${created.skipped} skipped` : "";
          const counts = `id ${created.playlist_id}: ${created.mapped} mapped${skipped}`;
          showMessage(this.result, `${created.message} (${counts}).`, "ok");
        } catch (failure) {
          showMessage(this.result, `Could not create the playlist: ${failure.message}`);
        }
      });
    }
  }

  // One page's result area: a summary line, the table (or the empty-state text) and the playlist form.
  class ResultsPanel {
    constructor(root) {
      this.root = root;
      this.summary = field(root, "summary");
      this.table = field(root, "table");
      this.emptyText = field(root, "empty");
      this.playlist = new PlaylistForm(root.querySelector("form[data-playlist-form]"));
    }

    show(songs, { playlistName, summary = "", userCreds = null }) {
      this.summary.textContent = summary || `${songs.length} song${songs.length === 1 ? "" : "s"}`;
      this.summary.hidden = false;
      if (songs.length) this.table.replaceChildren(songTable(songs));
      else this.table.replaceChildren();
      this.emptyText.hidden = songs.length > 0;
      this.playlist.offer(songs, playlistName, userCreds);
    }

    clear() {
      this.summary.hidden = true;
      this.table.replaceChildren();
      this.emptyText.hidden = false;
      this.playlist.offer([], "");
    }
  }

  // Plotly reads a few HTML tags (links among them) in its texts; tags from music files must stay text.
  function chartText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Plotly (served from our static files by tool_page.html's chart_library block) with the pages' look.
  function plot(element, traces, layout) {
    if (!window.Plotly) throw new Error("The chart library did not load: reload the page.");
    const pageLayout = {
      margin: { l: 55, r: 15, t: 10, b: 45 },
      font: { family: "system-ui, sans-serif", size: 12 },
      hovermode: "closest",
      ...layout,
    };
    return window.Plotly.react(element, traces, pageLayout, { responsive: true, displaylogo: false });
  }

  // Number inputs as numbers, checkboxes as booleans; an empty field stays empty (the API default).
  function fieldValue(form, name) {
    const field = form.elements[name];
    if (field.type === "checkbox") return field.checked;
    const text = String(field.value).trim();
    if (text === "") return "";
    return field.type === "number" || field.type === "range" ? Number(text) : text;
  }

  return {
    ApiError, callApi, apiUrl, showMessage, whileBusy, fieldValue, songTitle, songLabel, formatDistance,
    plot, chartText, SongAutocomplete, ResultsPanel,
  };
})();
