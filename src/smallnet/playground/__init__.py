"""The playground: a page where a network learns live, as in TensorFlow Playground, with smallnet
doing the learning (`smallnet playground` serves it).

One module per part: `settings` (what the page's URL holds, checked), `points` (the data and its
train/test split), `model` (the network the settings describe), `frames` (what the page draws, as
the network computes it), `session` (one page's run), `exports` (model files and Python code),
`server` (HTTP, standard library only). The page itself is static/: HTML, JavaScript and CSS,
no build step and nothing from the internet.
"""
