// The unit picker (kaohe/forms.py UnitPicker). htmx asks for the matching units as the person types; this
// fills the field with the one chosen (by click, or Tab/arrow keys and Enter) and closes the list. Without
// it the field is plain text, which the server reads as a code or a name.
(function () {
  "use strict";
  if (window.kaoheUnitPicker) return; // every picker on the page includes this file
  window.kaoheUnitPicker = true;

  function pickerOf(element) {
    return element instanceof Element ? element.closest("[data-unit-picker]") : null;
  }

  function part(picker, selector) {
    return picker.querySelector(selector);
  }

  function options(picker) {
    return Array.from(picker.querySelectorAll("[data-unit-code]"));
  }

  function close(picker) {
    const input = part(picker, "input");
    if (window.htmx) window.htmx.trigger(input, "htmx:abort"); // a late answer must not reopen it
    part(picker, ".unit-suggestions").replaceChildren();
  }

  function choose(option) {
    const picker = pickerOf(option);
    const input = part(picker, "input");
    input.value = option.dataset.unitCode;
    part(picker, ".unit-chosen").textContent = option.dataset.unitChosen;
    part(picker, "[role=status]").textContent = option.dataset.unitChosen;
    close(picker);
    input.focus();
  }

  // A click on a suggestion must not take the focus from the input first (Safari never gives it to buttons).
  document.addEventListener("mousedown", function (event) {
    if (event.target instanceof Element && event.target.closest("[data-unit-code]")) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    document.querySelectorAll("[data-unit-picker]").forEach(function (picker) {
      if (!picker.contains(event.target)) close(picker);
    });
    const option = event.target instanceof Element ? event.target.closest("[data-unit-code]") : null;
    if (option) choose(option); // Enter and Space on a focused button click it too
  });

  document.addEventListener("keydown", function (event) {
    const picker = pickerOf(event.target);
    if (!picker) return;
    const all = options(picker);
    const at = all.indexOf(event.target);
    if (event.key === "Escape" && part(picker, ".unit-suggestions").children.length) {
      close(picker);
      part(picker, "input").focus();
      event.preventDefault();
    } else if (event.key === "ArrowDown" && all.length) {
      all[Math.min(at + 1, all.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === "ArrowUp" && at >= 0) {
      (at === 0 ? part(picker, "input") : all[at - 1]).focus();
      event.preventDefault();
    }
  });

  // What is typed no longer names the unit chosen before.
  document.addEventListener("input", function (event) {
    const picker = pickerOf(event.target);
    if (picker) part(picker, ".unit-chosen").textContent = "";
  });

  // Tabbing on past the last suggestion (or away from the input) closes the list.
  document.addEventListener("focusout", function (event) {
    const picker = pickerOf(event.target);
    if (picker && !picker.contains(event.relatedTarget)) close(picker);
  });
})();
