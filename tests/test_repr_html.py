"""Network._repr_html_: in Jupyter a network shows its summary as an HTML table."""

from html.parser import HTMLParser

import pytest

import smallnet as sn
from smallnet import summary
from smallnet.losses import MeanSquaredError


class _Cells(HTMLParser):
    """The table's rows as lists of cell texts (unescaped), and the text after the table."""

    def __init__(self, markup):
        super().__init__()
        self.rows, self.after, self.cell, self.done = [], [], None, False
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.rows[-1].append(self.cell)
            self.cell = None
        self.done = self.done or tag == "table"

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        elif self.done and data.strip():
            self.after.append(data.strip())


def _net(**kwargs):
    return sn.Network(
        [
            sn.Dense(4, input_dim=3, activation="sigmoid", use_bias=False),
            sn.Dropout(0.5),
            sn.Dense(2),
        ],
        seed=0,
        **kwargs,
    )


def _printed(net):
    lines = []
    net.summary(print_fn=lines.append)
    return lines[0].splitlines()


def test_one_row_per_layer_under_the_titles():
    markup = _net().build()._repr_html_()
    assert markup.count("<tr>") == 1 + 3  # the titles, then dense_0, dropout_1, dense_2
    assert markup.count("<tbody>") == 1 and markup.count("<th>") == 4
    table = _Cells(markup)
    assert table.rows == [
        ["Layer (type)", "Output shape", "Activation", "Params"],
        ["dense_0 (Dense)", "(None, 4)", "sigmoid", "12"],  # 3 * 4, no bias
        ["dropout_1 (Dropout 0.5)", "(None, 4)", "", "0"],
        ["dense_2 (Dense)", "(None, 2)", "identity", "10"],  # 4 * 2 + 2
    ]
    assert table.rows == [list(row) for row in summary.rows(_net().build())]


def test_the_same_numbers_and_lines_as_summary():
    net = _net(l2=0.01).build()
    table, printed = _Cells(net._repr_html_()), _printed(net)
    for cells in table.rows:  # each row is a line of the printout, its cells in order
        line = next(line for line in printed if line.startswith(cells[0]))
        assert line.split() == " ".join(cells).split()
    # everything under the table: input size, params, engine, loss and optimizer, the penalty
    assert table.after == printed[-4:]
    assert "Total params: 22" in table.after and "Input size: 3" in table.after
    assert table.after[-1].endswith("L2: 0.01")


def test_user_text_is_escaped():
    class Tagged(MeanSquaredError):
        name = "mse<i>&</i>"  # a loss of the user's own, its name shown under the table

    net = sn.Network([sn.Dense(1, input_dim=2, name="<b>x & y</b>")], loss=Tagged())
    markup = net._repr_html_()
    assert "<b>" not in markup and "<i>" not in markup
    assert "&lt;b&gt;x &amp; y&lt;/b&gt; (Dense)" in markup
    assert "Loss: mse&lt;i&gt;&amp;&lt;/i&gt;" in markup
    table = _Cells(markup)
    assert table.rows[1][0] == "<b>x & y</b> (Dense)"  # the name itself, once unescaped
    assert table.after == _printed(net)[-4:]


def test_an_unbuilt_network_shows_what_it_knows():
    net = sn.Network([sn.Dense(4, activation="tanh"), sn.Dense(1)])  # no input size yet
    table = _Cells(net._repr_html_())
    assert [row[1:] for row in table.rows[1:]] == [
        ["(None, 4)", "tanh", "?"],
        ["(None, 1)", "identity", "?"],
    ]
    assert "Input size: None" in table.after and "Total params: ? (not built)" in table.after
    assert table.after == _printed(net)[-4:]
    assert not net.built  # showing a network doesn't build it


def test_jupyter_s_formatter_finds_it():
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(_net())
    assert data["text/html"] == _net()._repr_html_()
