"""The report's category, survey, repair and harassment tables as text cells (tables.py has the
others; category_tables.py and desk_figures.py say what each figure counts)."""

from __future__ import annotations

from hotline.quality.report_table import quality_cells
from hotline.reports.category_tables import Share
from hotline.reports.desk_figures import RepairFigures, RepairRow
from hotline.reports.labels import FAULT_TYPE, SURVEY_MARKS, SURVEY_SOURCE, label, percent, seconds
from hotline.reports.report import Report
from hotline.reports.table import Table


def _share_row(name: str, s: Share) -> list[str]:
    return [name, str(s.calls), percent(s.share), percent(s.share_of_handled)]


def ivr_functions_table(report: Report) -> Table:
    c, cats = report.stats.center, report.categories
    rows = [_share_row(cats.ivr_label(s.key), s) for s in report.stats.ivr_functions]
    rows.append(
        ["合计(自动应答)", str(c.ivr_only), percent(1.0 if c.ivr_only else None), percent(c.share_ivr_only)]
    )
    note = (
        f"自助服务(未请求人工)的来电按最后使用的语音功能分类。占接入总量:占接入的{c.handled}次来电;"
        f"线路全忙未接入{c.blocked}次另计,不在占比内。"
    )
    return Table("自动应答业务分类", ["业务", "次数", "占自动应答", "占接入总量"], rows, note)


def agent_categories_table(report: Report) -> Table:
    s, cats = report.stats, report.categories
    c = s.center
    rows = [[*_share_row(cats.agent_label(x.key), x), str(x.from_menu)] for x in s.agent_categories]
    rows.append(
        [
            "合计(人工接听)",
            str(c.answered),
            percent(1.0 if c.answered else None),
            percent(c.share_answered),
            "",
        ]
    )
    src = s.agent_category_sources
    note = (
        f"人工接听的来电按座席话后整理所选分类;座席未分类的按菜单分类(共{src.get('menu', 0)}次),"
        f"两者皆无的计入未分类({src.get('none', 0)}次);座席分类{src.get('disposition', 0)}次。"
        f"人工未接{c.unanswered}次(占接入总量{percent(c.share_unanswered)})不分业务。"
    )
    headers = ["业务", "次数", "占人工接听", "占接入总量", "其中按菜单分类"]
    return Table("人工接听业务分类", headers, rows, note)


def surveys_table(report: Report) -> Table:
    tables = report.desk.surveys
    marks = sorted({m for t in tables for m in t.by_score})
    rows = []
    for t in tables:
        scale = f"{t.scale[0]}–{t.scale[1]}分" if t.scale else "—"
        avg = "—" if t.avg is None else f"{t.avg:.2f}"
        cells = [str(t.by_score[m]) if m in t.by_score else "—" for m in marks]
        rows.append([label(SURVEY_SOURCE, t.source), scale, str(t.n), avg, *cells])
    meanings = ";".join(
        f"{label(SURVEY_SOURCE, src)}:" + " ".join(f"{m}{text}" for m, text in marks_of.items())
        for src, marks_of in SURVEY_MARKS.items()
    )
    note = f"两种量表分开统计,均以1分为最好。{meanings}。"
    return Table(
        "满意度评价(按量表)", ["评价", "量表", "次数", "平均分", *(f"{m}分" for m in marks)], rows, note
    )


def _repair_cells(f: RepairFigures, total: int) -> list[str]:
    return [
        str(f.orders),
        percent(f.orders / total if total else None),
        str(f.merged_reports),
        str(f.with_call),
        str(f.within_target),
        percent(f.within_rate),
        seconds(f.delay_p50_s),
        seconds(f.delay_max_s),
        str(f.without_call),
    ]


def repairs_table(report: Report) -> Table:
    r = report.desk.repairs
    total = r.total.orders
    rows: list[list[str]] = []
    for by_type in r.by_type:
        rows.append([label(FAULT_TYPE, by_type.fault_type), "小计", *_repair_cells(by_type.figures, total)])
        subtypes: list[RepairRow] = [x for x in r.by_subtype if x.fault_type == by_type.fault_type]
        rows += [["", x.fault_subtype or "未注明", *_repair_cells(x.figures, total)] for x in subtypes]
    rows.append(["合计", "", *_repair_cells(r.total, total)])
    headers = ["故障类型", "子类型", "工单", "占比", "合并重复报修", "有来电", "5分钟内发布", "5分钟内发布率"]
    headers += ["发布延时中位数(秒)", "最长延时(秒)", "无来电"]
    note = (
        "本时段新建的故障报修工单。发布延时 = 工单发布时刻 - 来电结束时刻(通话中已发布计0秒);"
        "无来电:未关联来电、来电不在记录中或尚未结束,另计,不在发布率内。"
    )
    return Table("故障报修分类统计", headers, rows, note)


def quality_table(report: Report) -> Table:
    names = {a.agent_id: a.name for a in report.stats.agents}
    title, headers, rows = quality_cells(report.desk.quality, names)
    note = "本时段开始的通话中被抽检的通话(按座席);得分率 = 得分 / 评分时检查表的满分。"
    return Table(title, headers, rows, note)


def harassment_table(report: Report) -> Table:
    rows = [[r.number, str(r.calls)] for r in report.desk.harassment]
    rows.append(["合计", str(report.desk.harassment_calls)])
    note = "听到骚扰电话警示语的来电,按号码(中间隐去)统计。"
    return Table("骚扰电话警示", ["号码", "来电"], rows, note)
