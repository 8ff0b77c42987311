"""Qualitative query checks on a trained Chinese model (SPEC d.3-7, d.3-8, d.3-9; issue 4 acceptance 2).

    python bench/query_quality.py MODEL_DIR [--cities 北京 上海 广州] [--json]

Runs, and prints a PASS/FAIL line for each check:
1. keywords of 20 news-style sentences (politics, economy, sports, science, law, tech, daily life, health):
   the top 3 never contain 的/是/在/了/和;
2. 太阳是一颗恒星: 是 ranks last among the keywords;
3. three city names: ``most_related`` (raw PMI) and ``most_similar`` (cosine; profile too for PMI models)
   top-10 side by side; the lists must differ;
4. (PMI models, INFO only) how many of the 50 smallest-norm words (√ of the self-PMI estimate, i.e. ``norms(
   corrected=True)``, which is ‖v‖ for cds = 1) are punctuation or function words by jieba's
   POS dictionary (SPEC d.3-7 is the trainer's acceptance; printed, not judged here).
Works for PMI and word2vec (HS) models alike; the model's own tokenizer settings are used.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from wordvec import Embedding  # noqa: E402

SENTENCES = [
    # politics
    "国务院总理在北京主持召开常务会议，部署进一步扩大内需和稳定就业的政策措施。",
    "外交部发言人表示，中方愿同各国加强沟通协调，共同维护地区和平与稳定。",
    "全国人民代表大会常务委员会审议通过了关于修改环境保护法的决定。",
    # economy
    "国家统计局发布数据显示，今年前三季度国内生产总值同比增长百分之五。",
    "中国人民银行宣布下调存款准备金率，向市场释放长期流动性约一万亿元。",
    "受国际油价上涨影响，国内汽油和柴油价格本周起每吨分别上调二百元。",
    # sports
    "中国女排在世界杯决赛中以三比一战胜对手，时隔多年再次夺得冠军。",
    "足球联赛第二十轮比赛中，主队凭借下半场的进球一比零击败客队。",
    "游泳运动员在全运会男子一百米自由泳决赛中打破全国纪录夺得金牌。",
    # science
    "科学家利用射电望远镜观测到遥远星系中一颗恒星爆发产生的强烈信号。",
    "我国自主研制的载人飞船成功发射，三名航天员顺利进入空间站工作。",
    # law
    "人民法院依法公开审理这起合同纠纷案件，判决被告赔偿原告经济损失。",
    "公安机关破获一起特大电信诈骗案，抓获犯罪嫌疑人一百余名。",
    "劳动者与用人单位发生劳动争议的，可以依法申请调解或者仲裁。",
    # technology
    "这款手机搭载新一代处理器，电池续航和拍照效果都有明显提升。",
    "软件安装完成后，用户需要在配置文件中设置数据库的连接地址和端口。",
    # daily life
    "周末我和家人去超市买了很多水果和蔬菜，还顺便看了一场电影。",
    "这家酒店的房间干净整洁，服务态度也很好，下次出差还会选择这里。",
    # health
    "医生提醒，冬季是流感高发季节，老人和儿童应当及时接种疫苗。",
    "研究表明，长期缺乏睡眠会增加患高血压和糖尿病的风险。",
]
STOPWORDS = {"的", "是", "在", "了", "和"}
SUN = "太阳是一颗恒星"
DEFAULT_CITIES = ("北京", "上海", "广州")


FUNCTION_TAGS = ("p", "c", "u", "d", "r", "q", "y", "e", "o", "f")  # jieba POS prefixes ("eng" excluded)


def is_function_or_punct(word: str) -> bool:
    """Punctuation/symbols, or a word jieba's dictionary tags as a function word (preposition p,
    conjunction c, auxiliary u, adverb d, pronoun r, classifier q, modal y, interjection e,
    onomatopoeia o, direction f)."""
    if all(unicodedata.category(ch)[0] in "PSZ" for ch in word):
        return True
    import jieba.posseg as posseg

    tagged = posseg.lcut(word, HMM=False)
    return len(tagged) == 1 and tagged[0].flag != "eng" and tagged[0].flag.startswith(FUNCTION_TAGS)


def run(model_dir: str, cities: tuple[str, ...]) -> dict:
    emb = Embedding.load(model_dir, mmap=True)
    checks: list[tuple[str, bool, str]] = []
    report: dict = {"model": model_dir, "kind": emb.kind, "shape": list(emb.shape), "keywords": []}

    bad = []
    for text in SENTENCES:
        top = [w for w, _ in emb.keywords(text, topn=10)]
        report["keywords"].append({"text": text, "top": top})
        if STOPWORDS & set(top[:3]):
            bad.append((text, top[:3]))
    checks.append(("keyword top-3 of 20 sentences has no 的/是/在/了/和", not bad,
                   "; ".join(f"{t[:10]}… → {'/'.join(top)}" for t, top in bad) or "all clean"))

    sun = emb.keywords(SUN, topn=None)
    report["sun"] = sun
    sun_words = [w for w, _ in sun]
    checks.append((f"{SUN}: 是 ranks last", bool(sun_words) and sun_words[-1] == "是",
                   " > ".join(f"{w} {s:.3f}" for w, s in sun)))

    report["cities"] = {}
    for city in cities:
        if city not in emb:
            checks.append((f"{city}: related vs similar differ", False, "not in vocabulary"))
            continue
        related = emb.most_related(city, topn=10)
        similar = emb.most_similar(city, topn=10)
        entry = {"related": related, "similar": similar}
        if emb.kind != "w2v":
            entry["profile"] = emb.most_similar(city, topn=10, method="profile")
        report["cities"][city] = entry
        differ = [w for w, _ in related] != [w for w, _ in similar]
        overlap = len({w for w, _ in related} & {w for w, _ in similar})
        checks.append((f"{city}: most_related and most_similar top-10 differ", differ, f"{overlap}/10 words shared"))

    if emb.kind != "w2v":
        smallest = emb.norms(topn=50, corrected=True)  # √(self-PMI): ‖v‖ when the model has cds = 1
        report["smallest_norms"] = smallest
        report["smallest_raw_norms"] = emb.norms(topn=50)
        share = sum(is_function_or_punct(w) for w, _ in smallest)
        report["info"] = [("50 smallest norms: punctuation/function words (SPEC d.3-7, the trainer's check)",
                           f"{share}/50 by jieba POS")]
    report["checks"] = [{"check": name, "pass": ok, "detail": detail} for name, ok, detail in checks]
    return report


def show(report: dict) -> None:
    print(f"# model {report['model']}: kind={report['kind']} shape={report['shape']}")
    print("\n## keywords (top 5)")
    for item in report["keywords"]:
        print(f"{item['text']}\n    {' / '.join(item['top'][:5])}")
    print(f"\n## {SUN}: " + "  ".join(f"{w} {s:.3f}" for w, s in report["sun"]))
    for city, entry in report["cities"].items():
        rel = "related (PMI)" if "profile" in entry else "related (HS, log p(y|x) − 0.9 log #y)"
        print(f"\n## {city}: {rel} | similar (cosine)" + (" | similar (profile, N=10k)" if "profile" in entry else ""))
        cols = [entry["related"], entry["similar"]] + ([entry["profile"]] if "profile" in entry else [])
        for rank in range(10):
            cells = []
            for col in cols:
                word, score = col[rank] if rank < len(col) else ("", 0.0)
                pad = 10 - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in word)
                cells.append(f"{word}{' ' * max(pad, 1)}{score:7.3f}")
            print(f"{rank + 1:>2}. " + " | ".join(cells))
    if "smallest_norms" in report:
        print("\n## 50 smallest √(self-PMI) (= norms when cds = 1): " + " ".join(w for w, _ in report["smallest_norms"]))
        print("\n## 50 smallest raw norms ‖v‖: " + " ".join(w for w, _ in report["smallest_raw_norms"]))
    print()
    for check in report["checks"]:
        print(f"{'PASS' if check['pass'] else 'FAIL'}  {check['check']}  ({check['detail']})")
    for name, detail in report.get("info", []):
        print(f"INFO  {name}: {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--cities", nargs="+", default=list(DEFAULT_CITIES))
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    report = run(args.model, tuple(args.cities))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        show(report)
    sys.exit(0 if all(c["pass"] for c in report["checks"]) else 1)


if __name__ == "__main__":
    main()
