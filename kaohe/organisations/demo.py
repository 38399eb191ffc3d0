"""A fictional district, 云溪区, for trying kaohe out and for benchmarks. Deterministic: same seed, same tree."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from kaohe.organisations.importing import CATEGORY, CODE, MEMBERS, NAME, PARENT

DISTRICT_CODE = "YX"
DEMO_PASSWORD = "kaohe-demo-2026"  # noqa: S105 (the demo's published password, in the README)

TOWNSHIPS = [
    "城关街道",
    "东湖街道",
    "西山街道",
    "南苑街道",
    "新华街道",
    "北塘镇",
    "青石镇",
    "柳河镇",
    "桃源镇",
    "松林镇",
    "白云乡",
    "石门乡",
]
BUREAUS = [
    "区教育委员会",
    "区卫生健康委员会",
    "区住房和城乡建设委员会",
    "区交通局",
    "区商务局",
    "区农业农村局",
    "区文化和旅游局",
    "区城市管理委员会",
    "区市场监督管理局",
    "区供销合作社",
    "区公安分局",
    "云溪城建集团",
    "云溪国有资产投资公司",
]
DIRECT = [
    "区人民医院",
    "区中医医院",
    "区第一中学",
    "区职业学校",
    "区图书馆",
    "区融媒体中心",
    "区供电公司",
    "区自来水公司",
    "区公交公司",
    "区邮政分公司",
    "区燃气公司",
    "区人民法院",
    "区人民检察院",
    "区税务局",
    "区烟草专卖局",
]
GRASSROOTS_KINDS = [
    "社区",
    "小学",
    "中学",
    "幼儿园",
    "卫生院",
    "科技有限公司",
    "建筑工程有限公司",
    "商贸有限公司",
    "物业管理有限公司",
    "食品有限公司",
    "汽车服务有限公司",
    "养老服务中心",
    "农业专业合作社",
    "物流有限公司",
]
PLACE_WORDS = "金银玉翠丰华兴盛嘉和春秋泰安瑞祥福康宏远明德信诚博雅鸿运景泉永乐"


def district_rows(seed: int = 2026) -> list[dict[str, Any]]:
    """1 district federation, 25 secondary unions, 15 direct units, 400 grassroots units."""
    rng = random.Random(seed)  # noqa: S311 (made-up demo data, not a secret)
    secondary = [(f"{name}总工会", "乡镇街道总工会") for name in TOWNSHIPS]
    secondary += [(f"{name}工会", "委局公司工会") for name in BUREAUS]
    shares = [rng.randint(8, 24) for _ in secondary]
    per_unit = _spread(400, shares)
    return list(_rows(rng, "云溪区总工会", secondary, [f"{name}工会" for name in DIRECT], per_unit))


def large_rows(seed: int = 2026) -> list[dict[str, Any]]:
    """One district of exactly 30,000 units: 80 secondary unions, 300 direct, the rest grassroots."""
    rng = random.Random(seed)  # noqa: S311 (made-up demo data, not a secret)
    secondary = [(f"第{i}街道总工会", "乡镇街道总工会") for i in range(1, 41)]
    secondary += [(f"第{i}委局公司工会", "委局公司工会") for i in range(1, 41)]
    direct = [f"区直属第{i}单位工会" for i in range(1, 301)]
    per_unit = _spread(30_000 - 1 - len(secondary) - len(direct), [1] * len(secondary))
    return list(_rows(rng, "云溪区总工会", secondary, direct, per_unit))


def _spread(total: int, shares: list[int]) -> list[int]:
    counts = [total * share // sum(shares) for share in shares]
    for index in range(total - sum(counts)):
        counts[index % len(counts)] += 1
    return counts


def _rows(
    rng: random.Random, district: str, secondary: list[tuple[str, str]], direct: list[str], grassroots: list[int]
) -> Iterator[dict[str, Any]]:
    yield _row(DISTRICT_CODE, district, "", "区总工会", 46)
    for index, (name, category) in enumerate(secondary, start=1):
        code = f"{DISTRICT_CODE}-S{index:03d}"
        yield _row(code, name, DISTRICT_CODE, category, rng.randint(15, 120))
        prefix = name.removesuffix("总工会").removesuffix("工会")
        for number in range(1, grassroots[index - 1] + 1):
            yield _row(f"{code}-G{number:04d}", _grassroots_name(rng, prefix, number), code, "基层工会", _members(rng))
    for index, name in enumerate(direct, start=1):
        yield _row(f"{DISTRICT_CODE}-D{index:03d}", name, DISTRICT_CODE, "区直属基层工会", rng.randint(80, 1500))


def _grassroots_name(rng: random.Random, prefix: str, number: int) -> str:
    word = "".join(rng.sample(PLACE_WORDS, 2))
    return f"{prefix}{word}{rng.choice(GRASSROOTS_KINDS)}工会（{number}）"


def _members(rng: random.Random) -> int:
    # Most grassroots unions are small; a few large employers carry hundreds of members.
    return max(3, min(2000, int(rng.lognormvariate(3.8, 0.9))))


def _row(code: str, name: str, parent: str, category: str, members: int) -> dict[str, Any]:
    return {CODE: code, NAME: name, PARENT: parent, CATEGORY: category, MEMBERS: members}
