/*
 * @mentions in a group's text fields (progressive enhancement, no framework, no inline script).
 *
 * A textarea with data-mention-suggestions="<url>" gets a list of people to mention while its writer types
 * "@" and a few letters: the list comes from <url>?q=<letters> (JSON [{id, name, detail}], only people who
 * may read the group). Arrow keys move through it, Enter chooses, Escape (or Tab) closes; a click chooses too.
 * Choosing puts the token "@[Name](id)" in the text, which the server turns into a link with the person's
 * current name. Without this script the text is posted as typed and mentions no one.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var counter = 0;

  // "@" at the start or after a space or an opening bracket, then up to 40 characters of a name.
  var TYPED = /(^|[\s(])@([^\s@\[\]()]{0,40}(?: [^\s@\[\]()]{0,40})?)$/;

  function attach(textarea) {
    var url = textarea.getAttribute("data-mention-suggestions");
    if (!url || textarea.getAttribute("data-mentions-ready")) {
      return;
    }
    textarea.setAttribute("data-mentions-ready", "1");
    counter += 1;
    var listId = "mention-suggestions-" + counter;

    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", textarea.getAttribute("data-mention-label") || "@");
    list.hidden = true;
    list.style.listStyle = "none";
    list.style.margin = "0.25rem 0";
    list.style.padding = "0";
    list.style.border = "1px solid #8a96a3";
    list.style.background = "#fff";
    list.style.maxWidth = "30rem";

    textarea.insertAdjacentElement("afterend", list);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);
    textarea.setAttribute("aria-expanded", "false");

    var people = [];
    var active = -1;
    var typed = null; // {start, end}: where "@letters" stands in the text
    var timer = null;
    var pending = null;

    function close() {
      list.hidden = true;
      list.textContent = "";
      people = [];
      active = -1;
      typed = null;
      textarea.setAttribute("aria-expanded", "false");
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, at) {
        var chosen = at === index;
        option.setAttribute("aria-selected", chosen ? "true" : "false");
        option.style.background = chosen ? "#154273" : "";
        option.style.color = chosen ? "#fff" : "";
        if (chosen) {
          textarea.setAttribute("aria-activedescendant", option.id);
          if (option.scrollIntoView) {
            option.scrollIntoView({ block: "nearest" });
          }
        }
      });
    }

    function show(found) {
      list.textContent = "";
      people = found;
      if (!found.length) {
        close();
        return;
      }
      found.forEach(function (person, at) {
        var option = document.createElement("li");
        option.id = listId + "-" + at;
        option.setAttribute("role", "option");
        option.style.padding = "0.25rem 0.5rem";
        option.style.cursor = "pointer";
        var name = document.createElement("strong");
        name.textContent = person.name; // text, never HTML
        option.appendChild(name);
        if (person.detail) {
          option.appendChild(document.createTextNode(" — " + person.detail));
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the textarea
          choose(at);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      textarea.setAttribute("aria-expanded", "true");
      highlight(0);
    }

    function choose(index) {
      var person = people[index];
      if (!person || !typed) {
        return;
      }
      var name = String(person.name).replace(/[\[\]()\n]/g, " ").trim();
      var token = "@[" + name + "](" + person.id + ") ";
      var text = textarea.value;
      textarea.value = text.slice(0, typed.start) + token + text.slice(typed.end);
      var caret = typed.start + token.length;
      textarea.setSelectionRange(caret, caret);
      close();
      textarea.focus();
    }

    function lookUp() {
      var caret = textarea.selectionStart;
      if (caret !== textarea.selectionEnd) {
        close();
        return;
      }
      var before = textarea.value.slice(0, caret);
      var match = TYPED.exec(before);
      if (!match) {
        close();
        return;
      }
      var letters = match[2];
      var where = { start: caret - letters.length - 1, end: caret };
      if (pending) {
        pending.abort();
      }
      pending = typeof AbortController === "function" ? new AbortController() : null;
      var separator = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + separator + "q=" + encodeURIComponent(letters), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (found) {
          typed = where;
          show(Array.isArray(found) ? found : []);
        })
        .catch(function () {
          /* aborted, or offline: no suggestions */
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    });

    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !people.length) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % people.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight((active - 1 + people.length) % people.length);
      } else if (event.key === "Enter") {
        if (active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Tab") {
        close(); // the focus moves on as usual
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    textarea.addEventListener("blur", close);
  }

  function attachAll() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mention-suggestions]"), attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attachAll);
  } else {
    attachAll();
  }
})();
