"""The book's figures, one function per figure, one module per topic (``emocourse.plots.baselines``
for chapter 2, ...). Each function is named after what it draws, takes what the chapter computed,
draws with matplotlib/seaborn and returns the figure; its docstring names the chapter section."""
