/* Backline's website chat: starts the rasa-webchat widget and adds what the page needs on top of it.
 *
 * - Escalation: a bot message that starts with "Seek care now." is highlighted (class bl-escalation)
 *   and repeated in the role="alert" box above the chat, so it cannot be missed or go unannounced.
 * - Sources: the bot's "Sources: A; B" line links each title to the page's Sources list.
 * - Keyboard and screen reader: quick replies become buttons (role, Tab, Enter/Space), the message
 *   box and the send button get labels, and the conversation is a live log.
 * - Bot text is never HTML: the widget renders it as Markdown with raw HTML escaped; links that are
 *   not http(s), mailto, tel or in-page lose their target here.
 *
 * Everything is done with DOM methods and textContent; nothing here writes HTML from a message.
 */
(function () {
  "use strict";

  var ESCALATION_PREFIX = "seek care now.";
  var SOURCES_PREFIX = "Sources: ";
  var SAFE_LINK = /^(https?:|mailto:|tel:|#)/i;

  // Where the Rasa server is: this page's own origin, unless the page lists servers in its
  // backline-servers meta tag (then the first, or the one ?server= names if it is listed). Any other
  // ?server= is ignored: a link must not send a caregiver's words to a server the site did not choose.
  function allowedServers() {
    var meta = document.querySelector('meta[name="backline-servers"]');
    return ((meta && meta.getAttribute("content")) || "").split(/\s+/).filter(function (url) {
      return /^https?:\/\/[^\s/]+$/i.test(url);
    });
  }

  function serverUrl() {
    var allowed = allowedServers();
    var given = (new URLSearchParams(window.location.search).get("server") || "").replace(/\/$/, "");
    if (given && allowed.indexOf(given) !== -1) {
      return given;
    }
    return allowed.length ? allowed[0] : window.location.origin;
  }

  function setConnection(text, state) {
    var status = document.getElementById("connection");
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  // --- the page's own additions to the widget's DOM -------------------------------------------------

  var sourceIds = {};
  Array.prototype.forEach.call(document.querySelectorAll("#sources [data-source-title]"), function (item) {
    sourceIds[item.getAttribute("data-source-title")] = item.id;
  });

  function messageText(message) {
    var markdown = message.querySelector(".rw-markdown");
    return ((markdown || message).textContent || "").trim();
  }

  function markEscalation(message, text) {
    message.classList.add("bl-escalation");
    var label = document.createElement("span");
    label.className = "bl-visually-hidden";
    label.textContent = "Urgent: ";
    message.insertBefore(label, message.firstChild);

    var box = document.getElementById("escalation");
    box.textContent = "";
    var heading = document.createElement("strong");
    heading.textContent = "Seek care now.";
    var detail = document.createElement("span");
    detail.textContent = " " + text.slice(ESCALATION_PREFIX.length).trim() +
      " Call your local emergency number (999 in the UK, 911 in the US, 112 in Europe) or go to the emergency department (A&E / ER).";
    box.appendChild(heading);
    box.appendChild(detail);
    box.classList.add("is-active");
    if (box.scrollIntoView) {
      box.scrollIntoView({ block: "nearest" });
    }
  }

  function linkSources(message, text) {
    var line = document.createElement("p");
    line.className = "bl-sources";
    line.appendChild(document.createTextNode(SOURCES_PREFIX));
    text.slice(SOURCES_PREFIX.length).split("; ").forEach(function (title, index) {
      if (index > 0) {
        line.appendChild(document.createTextNode("; "));
      }
      var id = sourceIds[title.trim()];
      var part = document.createElement(id ? "a" : "span");
      if (id) {
        part.href = "#" + id;
      }
      part.textContent = title.trim();
      line.appendChild(part);
    });
    var holder = message.querySelector(".rw-message-text") || message;
    holder.classList.add("bl-linked");
    holder.appendChild(line);
  }

  function neutraliseLinks(message) {
    Array.prototype.forEach.call(message.querySelectorAll("a[href]"), function (link) {
      if (!SAFE_LINK.test(link.getAttribute("href").trim())) {
        link.removeAttribute("href");
        link.setAttribute("data-blocked-link", "true");
      }
    });
  }

  function enhanceBotMessage(message) {
    if (message.getAttribute("data-bl-seen")) {
      return;
    }
    message.setAttribute("data-bl-seen", "true");
    var text = messageText(message);
    if (text.toLowerCase().indexOf(ESCALATION_PREFIX) === 0) {
      markEscalation(message, text);
    } else if (text.indexOf(SOURCES_PREFIX) === 0) {
      linkSources(message, text);
    }
  }

  function activateOnKey(event) {
    if (event.key === "Enter" || event.key === " " || event.key === "Spacebar") {
      event.preventDefault();
      event.currentTarget.click();
    }
  }

  function enhanceReply(reply) {
    if (reply.getAttribute("data-bl-seen") || reply.tagName === "A" || reply.tagName === "BUTTON") {
      return;
    }
    reply.setAttribute("data-bl-seen", "true");
    reply.setAttribute("role", "button");
    reply.setAttribute("tabindex", "0");
    reply.addEventListener("keydown", activateOnKey);
  }

  function setOnce(element, name, value) {
    if (element && !element.hasAttribute(name)) {
      element.setAttribute(name, value);
    }
  }

  var focusReleased = false;

  function enhance(root) {
    setOnce(root.querySelector(".rw-messages-container"), "role", "log");
    setOnce(root.querySelector(".rw-messages-container"), "aria-live", "polite");
    setOnce(root.querySelector(".rw-messages-container"), "aria-label", "Conversation with Backline");
    setOnce(root.querySelector(".rw-messages-container"), "tabindex", "0");
    var input = root.querySelector(".rw-new-message");
    setOnce(input, "aria-label", "Your message to Backline");
    setOnce(input, "aria-describedby", "chat-help");
    setOnce(root.querySelector(".rw-send"), "aria-label", "Send");
    setOnce(root.querySelector(".rw-sender"), "aria-label", "Write a message");
    // The widget focuses its message box on load, which would skip everything above it for keyboard
    // and screen-reader users; the page starts at the top instead ("Skip to the chat" goes there).
    if (input && !focusReleased) {
      focusReleased = true;
      if (document.activeElement === input) {
        input.blur();
      }
    }
    Array.prototype.forEach.call(root.querySelectorAll(".rw-replies"), function (group) {
      setOnce(group, "role", "group");
      setOnce(group, "aria-label", "Answer options");
    });
    Array.prototype.forEach.call(root.querySelectorAll(".rw-reply"), enhanceReply);
    Array.prototype.forEach.call(root.querySelectorAll(".rw-response"), enhanceBotMessage);
    neutraliseLinks(root.querySelector(".rw-messages-container") || root);
  }

  // "Skip to the chat" lands in the message box.
  var skip = document.querySelector(".skip-link");
  if (skip) {
    skip.addEventListener("click", function (event) {
      var input = document.querySelector(".rw-new-message");
      if (input) {
        event.preventDefault();
        input.focus();
      }
    });
  }

  var container = document.getElementById("webchat");
  new MutationObserver(function () {
    enhance(container);
  }).observe(container, { childList: true, subtree: true, attributes: true, attributeFilter: ["href"] });
  // And if a link was changed between two observations: an unsafe target is never followed.
  container.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a");
    if (link && link.hasAttribute("href") && !SAFE_LINK.test(link.getAttribute("href").trim())) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);

  if (!window.WebChat || typeof window.WebChat.default !== "function") {
    setConnection("The chat could not load. Run `make install`, then reload this page.", "error");
    return;
  }

  window.WebChat.default({
    socketUrl: serverUrl(),
    socketPath: "/socket.io/",
    initPayload: "/greet",
    embedded: true,
    title: "Backline",
    subtitle: "Back pain help for ALS and MS caregivers",
    inputTextFieldHint: "Describe what you see…",
    hideWhenNotConnected: false,
    showMessageDate: false,
    showCloseButton: false,
    customMessageDelay: function () { return 250; },
    params: { storage: "session" },
    onSocketEvent: {
      connect: function () { setConnection("Connected.", "connected"); },
      disconnect: function () { setConnection("Connection lost; trying again…", "lost"); },
      connect_error: function () {
        setConnection("Can't reach Backline's server at " + serverUrl() + ". Is `make run` running?", "error");
      }
    }
  }, container);
})();
