// wordvec explorer: search-box suggestions and the α slider. Data goes into the page through DOM text
// properties only (never innerHTML), so words holding markup stay text.
"use strict";

function setupSuggestions() {
  const input = document.getElementById("word-input");
  const list = document.getElementById("word-suggestions");
  if (!input || !list) return;
  let timer = null;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const query = input.value.trim();
      const ticket = ++latest;
      if (!query) { list.replaceChildren(); return; }
      const params = new URLSearchParams({ q: query });
      if (input.dataset.model) params.set("model", input.dataset.model);
      try {
        const response = await fetch(input.dataset.suggest + "?" + params.toString());
        if (!response.ok || ticket !== latest) return;
        const data = await response.json();
        const options = (data.words || []).map((word) => {
          const option = document.createElement("option");
          option.value = word;
          return option;
        });
        list.replaceChildren(...options);
        list.dataset.count = String(options.length);
      } catch (err) {
        // the server went away: suggestions are a convenience only
      }
    }, 120);
  });
}

function setupAlpha() {
  const slider = document.getElementById("alpha");
  const shown = document.getElementById("alpha-value");
  if (!slider || !shown) return;
  slider.addEventListener("input", () => { shown.textContent = slider.value; });
  slider.addEventListener("change", () => {
    const form = document.getElementById("word-form");
    const input = document.getElementById("word-input");
    if (form && input && input.value.trim()) form.requestSubmit();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupSuggestions();
  setupAlpha();
});
