"""Tests for course_utils.model_zoo (chapter 01): the notable-models table and its loader."""
import pandas as pd
import pytest

from course_utils.model_zoo import REQUIRED_COLUMNS, load_notable_models

ARTICLES_MODELS = ("BERT-base", "ResNet-50", "AlphaGo", "GPT-3", "AlphaFold 2")


@pytest.fixture(scope="module")
def zoo():
    return load_notable_models()


def test_columns_and_types(zoo):
    for column in REQUIRED_COLUMNS:
        assert column in zoo.columns
    assert zoo["year"].dtype == "int64" and zoo["parameters"].dtype == "int64"
    assert str(zoo["training_tokens"].dtype) == "Int64"
    assert zoo["training_flops"].dtype == "float64"
    assert zoo["estimated"].dtype == bool
    assert zoo["name"].is_unique
    assert (zoo["source"].str.len() > 5).all()


def test_contents(zoo):
    by_name = zoo.set_index("name")
    for name in ARTICLES_MODELS:
        assert name in by_name.index
    assert len(zoo) >= 17
    assert (zoo["year"] >= 2012).all()
    assert by_name.loc["GPT-3", "parameters"] == 175_000_000_000
    assert by_name.loc["BERT-base", "parameters"] == 110_000_000
    assert by_name.loc["GPT-3", "training_tokens"] == 300_000_000_000
    assert by_name.loc["GPT-3", "training_flops"] == pytest.approx(3.14e23)
    assert by_name.loc["all-MiniLM-L6-v2", "parameters"] == 22_713_216
    # the two counts no paper publishes are flagged and explained
    assert set(zoo.loc[zoo["estimated"], "name"]) == {"AlphaGo", "AlphaFold 2"}
    assert zoo.loc[zoo["estimated"], "notes"].str.startswith("ESTIMATE").all()
    # sorted by year, then size
    assert list(zoo.index) == list(range(len(zoo)))
    assert zoo["year"].is_monotonic_increasing


def test_training_columns_agree_with_the_papers_schedules(zoo):
    by_name = zoo.set_index("name")
    # BERT: 1M steps of 256 sequences, 90% at 128 tokens and 10% at 512 (Devlin et al. 2018, Appendix A.2)
    for name in ("BERT-base", "BERT-large"):
        assert by_name.loc[name, "training_tokens"] == 1_000_000 * 256 * (0.9 * 128 + 0.1 * 512)
    # published compute, where a paper states it, is within 3% of 6·N·D
    published = zoo[zoo["training_flops"].notna()]
    assert len(published) >= 3
    for row in published.itertuples():
        assert abs(6.0 * float(row.parameters) * float(row.training_tokens) / row.training_flops - 1) < 0.03, row.name


def test_mixture_of_experts_rows_are_marked(zoo):
    # chapter 01's plot and cost table tell sparse models apart by this text
    moe = zoo[zoo["architecture"].str.contains("mixture of experts")]
    assert set(moe["name"]) >= {"Switch-C", "DeepSeek-V3", "Sparsely-gated MoE (137B)"}
    assert moe["notes"].str.contains("token").all()


GOOD_HEADER = "name,year,parameters,organisation,domain,source,notes"
GOOD_ROW = "Tiny,2020,1000,Lab,language,\"Someone 2020, arXiv:0000.00000\",a note"


def write(tmp_path, text):
    path = tmp_path / "models.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_file_loads(tmp_path):
    df = load_notable_models(write(tmp_path, f"{GOOD_HEADER}\n{GOOD_ROW}\n"))
    assert df.loc[0, "parameters"] == 1000 and df.loc[0, "year"] == 2020
    assert isinstance(df, pd.DataFrame)


def test_missing_file_says_how_to_get_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="git checkout -- data/"):
        load_notable_models(tmp_path / "nope.csv")


def test_missing_column(tmp_path):
    with pytest.raises(ValueError, match=r"missing column\(s\) \['parameters'\]"):
        load_notable_models(write(tmp_path, "name,year,organisation,domain,source,notes\nA,2020,L,d,s,n\n"))


@pytest.mark.parametrize("row, message", [
    ("Tiny,2020,1.5e3x,Lab,language,src,n", "'parameters' must hold whole numbers; row 2"),
    ("Tiny,2020,1000.5,Lab,language,src,n", "'parameters' must hold whole numbers"),
    ("Tiny,2020,-5,Lab,language,src,n", "'parameters' must be positive"),
    ("Tiny,2020,,Lab,language,src,n", "'parameters' is empty in row 2"),
    ("Tiny,twenty,1000,Lab,language,src,n", "'year' must hold whole numbers"),
    ("Tiny,1850,1000,Lab,language,src,n", "'year' must be between"),
    ("Tiny,2020,1000,Lab,language,,n", "'source' is empty in row 2"),
])
def test_malformed_rows(tmp_path, row, message):
    with pytest.raises(ValueError, match=message):
        load_notable_models(write(tmp_path, f"{GOOD_HEADER}\n{row}\n"))


def test_duplicate_and_empty(tmp_path):
    with pytest.raises(ValueError, match="appears twice"):
        load_notable_models(write(tmp_path, f"{GOOD_HEADER}\n{GOOD_ROW}\n{GOOD_ROW}\n"))
    with pytest.raises(ValueError, match="no rows"):
        load_notable_models(write(tmp_path, f"{GOOD_HEADER}\n"))
    with pytest.raises(ValueError, match="not a readable CSV"):
        load_notable_models(write(tmp_path, ""))


def test_optional_columns_validated(tmp_path):
    header = GOOD_HEADER + ",training_flops,estimated,training_tokens"
    ok = load_notable_models(write(tmp_path, f"{header}\n{GOOD_ROW},3e20,true,\n"))
    assert ok.loc[0, "estimated"] and ok.loc[0, "training_flops"] == 3e20
    assert pd.isna(ok.loc[0, "training_tokens"])
    with pytest.raises(ValueError, match="training_flops"):
        load_notable_models(write(tmp_path, f"{header}\n{GOOD_ROW},lots,true,\n"))
    with pytest.raises(ValueError, match="'estimated' must be true or false"):
        load_notable_models(write(tmp_path, f"{header}\n{GOOD_ROW},3e20,maybe,\n"))


def test_bad_path_type():
    with pytest.raises(TypeError, match="path"):
        load_notable_models(123)
