"""What a training cell shows while it runs: the sample grid and a progress bar with the measured
time per step and the time left, both updated in place.

In Jupyter and Colab both are IPython display handles (`display(obj, display_id=True)`, then
`handle.update(obj)`): the page redraws them in place, and a notebook executed by papermill,
nbconvert or nbval keeps only their last state, as one picture and one line of text. In a terminal
the bar is Keras' `Progbar`; with neither (output going to a log file) only whole lines are printed.
"""

from __future__ import annotations

import sys
import time

import keras

from gankit import runtime


def in_notebook() -> bool:
    """True inside a Jupyter or Colab kernel (where display handles update in place)."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def show(obj, handle=None):
    """Display `obj` in the notebook, or replace what `handle` shows with it; return the handle.

    Outside a notebook nothing is shown and None is returned.
    """
    if handle is not None:
        handle.update(obj)
        return handle
    if not in_notebook():
        return None
    from IPython.display import display

    return display(obj, display_id=True)


def image(path):
    """A PNG or GIF file as an object the notebook displays (IPython's `Image`)."""
    from IPython.display import Image

    return Image(filename=str(path))


def clock(seconds: float) -> str:
    """Seconds as a duration: "42 s", "12:05" (min:s) or "1:02:03" (h:min:s)."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class _Bar:
    """The notebook's view of the bar: an HTML `<progress>` element, and the same as text."""

    def __init__(self, text, value, total):
        self.text, self.value, self.total = text, value, total

    def __repr__(self):  # text/plain: what a saved notebook and a terminal front end show
        return self.text

    def _repr_html_(self):
        import html

        bar = (f'<progress value="{self.value}" max="{self.total}" style="width:16em"></progress> '
               if self.total else "")
        return f"{bar}<code>{html.escape(self.text)}</code>"


class Progress:
    """The progress of one training run, measured as it goes.

    total: the steps this run will have done at its end (None: not known yet; set `.total`
        later). done: the steps already done before (a resumed run).
    After the first step (which includes tracing the step into a graph) and about ten more, it
    prints once what one step costs on this device and how long the rest will take; meanwhile
    it draws a bar, at most every `every` seconds.
    """

    def __init__(self, total: int | None, done: int = 0, every: float = 1.0):
        self.total, self.start, self.every = total, done, every
        self.began = time.perf_counter()
        self.first = None        # (time, steps done) after the first step of this run
        self.reported = False
        self.drawn_at, self.done = 0.0, done
        self.handle = self.progbar = None
        if in_notebook():
            self.handle = show(self._bar())
        elif sys.stdout.isatty():
            self.progbar = keras.utils.Progbar(None if total is None else total - done)

    def seconds_per_step(self) -> float | None:
        """Mean seconds per step after the first step of this run (None before two steps)."""
        if self.first is None or self.done <= self.first[1]:
            return None
        return (time.perf_counter() - self.first[0]) / (self.done - self.first[1])

    def left(self) -> float | None:
        """Seconds left at the measured rate (None while unknown)."""
        rate = self.seconds_per_step()
        if rate is None or self.total is None:
            return None
        return rate * max(0, self.total - self.done)

    def update(self, done: int, logs=None):
        """`done` steps done in all; `logs`: the step's scalars (the two losses are shown beside
        the bar; tensors are only read when it is drawn)."""
        self.done = done
        now = time.perf_counter()
        if self.first is None:
            self.first = (now, done)
            return
        measured = done - self.first[1]
        if not self.reported and (measured >= 10 or (measured >= 2 and now - self.first[0] > 20)):
            if logs:  # wait for the device to finish the queued steps before timing them
                float(next(iter(logs.values())))
            self.report()
        if now - self.drawn_at >= self.every or done == self.total:
            self.drawn_at = now
            self.draw(logs)

    def report(self):
        """Print the measured seconds per step and the time the run will take (once)."""
        self.reported = True
        first = self.first[0] - self.began
        rate = self.seconds_per_step()
        where = runtime.device_name()
        if rate is None:
            print(f"On {where}: the first step took {first:.1f} s (it traces the step into a "
                  "graph; later steps are faster).", flush=True)
            return
        line = (f"Measured on {where}: {rate:.3g} s per step over {self.done - self.first[1]} "
                f"steps (the first step took {first:.1f} s: tracing).")
        if self.total is not None:
            steps = self.total - self.start
            line += f" {steps:,} steps ≈ {clock(rate * steps)}; about {clock(self.left())} left."
        print(line, flush=True)

    def text(self, logs=None) -> str:
        """One line: the bar, the steps, seconds per step, the time left, the latest logs."""
        total, done = self.total, self.done
        parts = []
        if total:
            filled = int(20 * min(done, total) / total)
            parts.append(f"[{'█' * filled}{'░' * (20 - filled)}] {done:,}/{total:,} steps")
        else:
            parts.append(f"{done:,} steps")
        rate = self.seconds_per_step()
        if rate is not None:
            parts.append(f"{rate:.3g} s/step")
            if total is not None:
                parts.append(f"{clock(self.left())} left" if done < total else
                             f"done in {clock(time.perf_counter() - self.began)}")
        logs = logs or {}
        for name in [k for k in ("d_loss", "g_loss") if k in logs] or list(logs)[:2]:
            parts.append(f"{name} {float(logs[name]):.4f}")
        return " · ".join(parts)

    def _bar(self, logs=None):
        return _Bar(self.text(logs), self.done, self.total or 0)

    def draw(self, logs=None):
        if self.handle is not None:
            show(self._bar(logs), self.handle)
        elif self.progbar is not None:
            self.progbar.update(self.done - self.start)

    def close(self, logs=None):
        """The run ended: report if not yet done, and draw the bar's last state."""
        if not self.reported and self.first is not None:
            self.report()
        self.draw(logs)



class FitProgress(keras.callbacks.Callback):
    """`Progress` for `fit()`: the measured time per step and the time left, and a bar updated
    in place (pass `verbose=0` to `fit` so that Keras' own bar does not repeat it)."""

    def on_train_begin(self, logs=None):
        steps, epochs = self.params.get("steps"), self.params.get("epochs")
        first = getattr(self.model, "_initial_epoch", 0) or 0  # a resumed run
        self.progress = Progress(steps and steps * epochs, (steps or 0) * first)

    def on_train_batch_end(self, batch, logs=None):
        self.progress.update(self.progress.done + 1, logs)

    def on_train_end(self, logs=None):
        self.progress.close(logs)


def source(*objects):
    """The code of functions or classes as a highlighted cell output (IPython's `Code`).

    A train step from `training.make_train_step` (or one of `translation`'s) shows the functions
    it runs, its `lesson`; anything else shows its own source. Outside a notebook it prints
    as plain text.
    """
    import inspect

    from IPython.display import Code

    parts = [part for obj in objects for part in getattr(obj, "lesson", (obj,))]
    return Code("\n\n".join(inspect.getsource(inspect.unwrap(p)).rstrip() for p in parts),
                language="python")
