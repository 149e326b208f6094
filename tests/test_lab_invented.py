"""A fix never invents data: the literals a step assigns must come from the notebook or the question."""

from __future__ import annotations

from assistant.lab.invented import KnownValues, invented_names

NOTEBOOK = ["values = [1.5, 2.5, 4.0]", "mean = sum(values) / len(valuez)\nprint(mean)"]
QUESTION = "Fix the error in this cell: run the corrected code."


def test_values_no_cell_has_are_refused():
    assert invented_names("values = [1, 2]\nmean = sum(values) / len(values)", [QUESTION]) == ["values"]
    assert invented_names("values = [3, 7]\nprint(sum(values) / len(values))", [*NOTEBOOK, QUESTION]) == ["values"]


def test_a_literal_in_the_notebook_is_fine():
    code = "values = [1.5, 2.5, 4.0]\nmean = sum(values) / len(values)\nprint(mean)"
    assert invented_names(code, [*NOTEBOOK, QUESTION]) == []
    assert invented_names("values = [4, 2.5]", NOTEBOOK) == []  # 4 is the notebook's 4.0


def test_a_literal_in_the_question_is_fine():
    assert invented_names("values = [3.5, 4]\nprint(sum(values) / 2)", ["What is the mean of 3.5 and 4?"]) == []
    assert invented_names('unit = "mg/L"', ["Convert it to mg/L"]) == []
    assert invented_names('unit = "mg/L"', ["Convert it"]) == ["unit"]


def test_arithmetic_on_existing_names_is_fine():
    code = "mean = sum(values) / len(values)\nscaled = [v * 2.75 for v in values]\ntotal = mean * 3 + 10"
    assert invented_names(code, NOTEBOOK) == []


def test_the_constants_any_code_starts_from_are_not_data():
    code = "total = 0\ncount = 1\nname = ''\nseen = []\ncounts = {}\nflag = True\nbest = None\nstep = -1"
    assert invented_names(code, []) == []


def test_data_handed_to_a_constructor_is_data():
    code = "import numpy as np\nvalues = np.array([3.2, 4.8, 5.1])\ngrid = np.linspace(0, 10, 50)"
    assert invented_names(code, [QUESTION]) == ["values"]
    assert invented_names("frame = pd.DataFrame({'dose': [5, 10]})", ["amounts of 5 and 10 mg"]) == ["frame"]
    assert invented_names("frame = pd.DataFrame({'dose': [5, 10]})", ["dose of 5 and 10 mg"]) == []


def test_every_target_and_kind_of_assignment_is_named():
    code = "a, b = 3, 4\nc: float = 8.5\nresult.value = 9\nfor x in range(3):\n    y = 42"
    assert invented_names(code, []) == ["a", "b", "c", "result.value", "y"]


def test_code_that_does_not_parse_invents_nothing():
    assert invented_names("values = [1, 2", []) == []


def test_known_values_grow_with_what_the_run_printed():
    known = KnownValues([QUESTION])
    assert known.invented("n = 60") == ["n"]
    known.add("readings: 60")
    assert known.invented("n = 60") == []
    assert known.invented("n = 60.0") == []
