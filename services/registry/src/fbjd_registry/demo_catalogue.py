"""The demo city's enterprises and the facility layouts of their industries (data only; `demo` seeds it).

Names, addresses and people are invented but shaped like Cangzhou's; the ceramics works is the notice's own
example (喷雾干燥塔 with bag and cyclone dust collectors and the desulfurization tower it shares with the kilns,
one denitrification system for two kilns, 压制机1-4 on one bag filter, 磨抛机1-5 on another).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BUILDERS",
    "COUNTY_SEATS",
    "ENTERPRISES",
    "OPERATORS",
    "TEMPLATES",
    "DemoEnterprise",
    "DemoVendor",
    "Node",
    "Unit",
]


@dataclass(frozen=True)
class Node:
    """A monitored node of a facility: the point is named `<facility>-<node>`."""

    node: str
    rated_kw: float
    group: str | None = None  # main/standby group (treatment only)


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str  # production | treatment
    rated_kw: float
    nodes: tuple[Node, ...]
    serves: tuple[str, ...] = ()  # production: the treatment units it must run with
    process: str | None = None
    needs_treatment: bool = True


def _p(name: str, process: str, rated: float, nodes: tuple[Node, ...], *serves: str) -> Unit:
    return Unit(name, "production", rated, nodes, serves, process)


def _t(name: str, rated: float, *nodes: Node) -> Unit:
    return Unit(name, "treatment", rated, nodes)


def _fan(rated: float) -> tuple[Node, ...]:
    return (Node("引风机", rated),)


_CERAMICS_NOTICE = (
    _p(
        "喷雾干燥塔",
        "制粉工序",
        260,
        (Node("热风炉鼓风机", 75), Node("柱塞泵", 30)),
        "喷雾干燥塔布袋除尘器",
        "喷雾干燥塔旋风除尘器",
        "脱硫塔",
    ),
    _p("1#烧成窑", "烧成工序", 400, (Node("助燃风机", 132),), "脱硫塔", "烧成窑脱硝系统"),
    _p("2#烧成窑", "烧成工序", 400, (Node("助燃风机", 132),), "脱硫塔", "烧成窑脱硝系统"),
    *(_p(f"压制机{n}", "成型工序", 110, (Node("液压泵", 37),), "压制机布袋除尘器") for n in range(1, 5)),
    *(_p(f"磨抛机{n}", "抛光工序", 90, (Node("主电机", 22),), "磨抛机布袋除尘器") for n in range(1, 6)),
    _t("喷雾干燥塔布袋除尘器", 90, Node("收尘风机", 90)),
    _t("喷雾干燥塔旋风除尘器", 55, Node("引风机", 55)),
    _t("脱硫塔", 265, Node("循环泵", 110, "循环泵"), Node("备用循环泵", 110, "循环泵"), Node("氧化风机", 45)),
    _t("烧成窑脱硝系统", 36, Node("稀释风机", 30), Node("氨水泵", 5.5)),
    _t("压制机布袋除尘器", 45, *_fan(45)),
    _t("磨抛机布袋除尘器", 37, *_fan(37)),
)

TEMPLATES: dict[str, tuple[Unit, ...]] = {
    "ceramics_notice": _CERAMICS_NOTICE,
    "brick": (
        _p("隧道窑", "烧成工序", 320, (Node("排烟风机", 110),), "隧道窑脱硫塔", "隧道窑湿电除尘器"),
        _p("破碎机", "原料工序", 90, (Node("主电机", 75),), "破碎机布袋除尘器"),
        _t("隧道窑脱硫塔", 150, Node("循环泵", 75, "循环泵"), Node("备用循环泵", 75, "循环泵")),
        _t("隧道窑湿电除尘器", 80, Node("高压电源", 80)),
        _t("破碎机布袋除尘器", 30, *_fan(30)),
    ),
    "steel": (
        _p(
            "1#烧结机",
            "烧结工序",
            2500,
            (Node("主抽风机", 2000),),
            "烧结机头电除尘器",
            "烧结烟气脱硫塔",
            "烧结烟气脱硝系统",
        ),
        _p("1#高炉", "炼铁工序", 1800, (Node("热风炉助燃风机", 630),), "高炉出铁场除尘器"),
        _p("1#转炉", "炼钢工序", 1600, (Node("氧枪卷扬", 160),), "转炉二次除尘器"),
        _t("烧结机头电除尘器", 400, Node("高压电源", 400)),
        _t("烧结烟气脱硫塔", 710, Node("循环泵", 355, "循环泵"), Node("备用循环泵", 355, "循环泵")),
        _t("烧结烟气脱硝系统", 220, Node("增压风机", 220)),
        _t("高炉出铁场除尘器", 1250, Node("除尘风机", 1250)),
        _t("转炉二次除尘器", 1600, Node("除尘风机", 1600)),
    ),
    "casting": (
        _p("中频感应电炉", "熔炼工序", 1500, (Node("电源柜", 1500),), "电炉布袋除尘器"),
        _p("抛丸机", "清理工序", 75, (Node("抛丸器", 55),), "抛丸机滤筒除尘器"),
        _p("造型线", "造型工序", 160, (Node("混砂机", 90),), "造型线布袋除尘器"),
        _t("电炉布袋除尘器", 132, *_fan(132)),
        _t("抛丸机滤筒除尘器", 22, *_fan(22)),
        _t("造型线布袋除尘器", 75, *_fan(75)),
    ),
    "chemical": (
        _p("1#反应釜", "合成工序", 45, (Node("搅拌电机", 37),), "有机废气RTO焚烧炉"),
        _p("2#反应釜", "合成工序", 45, (Node("搅拌电机", 37),), "有机废气RTO焚烧炉"),
        _p("闪蒸干燥机", "干燥工序", 120, (Node("热风机", 55),), "干燥机布袋除尘器"),
        _t("有机废气RTO焚烧炉", 110, Node("主风机", 90), Node("燃烧器风机", 11)),
        _t("干燥机布袋除尘器", 37, *_fan(37)),
    ),
    "coating": (
        _p("喷漆房", "涂装工序", 60, (Node("送风机", 30),), "活性炭吸附装置", "催化燃烧装置"),
        _p("烘干房", "涂装工序", 80, (Node("循环风机", 22),), "催化燃烧装置"),
        _t("活性炭吸附装置", 45, *_fan(45)),
        _t("催化燃烧装置", 40, Node("脱附风机", 15), Node("电加热器", 25)),
    ),
    "printing": (
        _p("1#凹版印刷机", "印刷工序", 180, (Node("主电机", 110),), "印刷废气RTO"),
        _p("2#凹版印刷机", "印刷工序", 180, (Node("主电机", 110),), "印刷废气RTO"),
        _p("干式复合机", "复合工序", 90, (Node("主电机", 55),), "印刷废气RTO"),
        _t("印刷废气RTO", 132, Node("主风机", 110), Node("备用主风机", 110)),
    ),
    "plastics": (
        *(_p(f"{n}#注塑机", "注塑工序", 55, (Node("油泵电机", 45),), "注塑废气UV光氧装置") for n in range(1, 4)),
        _p("造粒机", "造粒工序", 110, (Node("主电机", 90),), "造粒机活性炭吸附装置"),
        _t("注塑废气UV光氧装置", 30, *_fan(22)),
        _t("造粒机活性炭吸附装置", 22, *_fan(18.5)),
    ),
    "rubber": (
        _p("密炼机", "炼胶工序", 630, (Node("主电机", 560),), "密炼机布袋除尘器", "炼胶废气RTO"),
        _p("平板硫化机", "硫化工序", 75, (Node("液压泵", 30),), "硫化废气喷淋塔"),
        _t("密炼机布袋除尘器", 55, *_fan(55)),
        _t("炼胶废气RTO", 90, Node("主风机", 75)),
        _t("硫化废气喷淋塔", 22, Node("循环泵", 7.5), *_fan(15)),
    ),
    "glass": (
        _p(
            "玻璃熔窑",
            "熔化工序",
            3000,
            (Node("助燃风机", 355), Node("电助熔", 1500)),
            "熔窑脱硫塔",
            "熔窑脱硝系统",
            "熔窑电除尘器",
        ),
        _t("熔窑脱硫塔", 250, Node("循环泵", 132)),
        _t("熔窑脱硝系统", 45, Node("稀释风机", 37)),
        _t("熔窑电除尘器", 160, Node("高压电源", 160)),
    ),
    "cement": (
        _p("回转窑", "熟料工序", 2200, (Node("主传动电机", 710),), "窑尾袋除尘器", "窑尾SNCR脱硝系统"),
        _p("水泥磨", "粉磨工序", 2800, (Node("主电机", 2500),), "水泥磨袋式除尘器"),
        _t("窑尾袋除尘器", 900, Node("窑尾排风机", 900)),
        _t("窑尾SNCR脱硝系统", 30, Node("氨水泵", 15), Node("备用氨水泵", 15)),
        _t("水泥磨袋式除尘器", 315, *_fan(315)),
    ),
    "boiler": (
        _p(
            "生物质锅炉",
            "供热工序",
            900,
            (Node("鼓风机", 250), Node("给料机", 30)),
            "锅炉布袋除尘器",
            "锅炉SNCR脱硝系统",
        ),
        _t("锅炉布袋除尘器", 400, *_fan(400)),
        _t("锅炉SNCR脱硝系统", 15, Node("尿素溶液泵", 7.5)),
    ),
    "power": (
        _p(
            "1#燃煤机组",
            "发电工序",
            12000,
            (Node("一次风机", 2500), Node("送风机", 1600)),
            "1#电除尘器",
            "1#脱硫塔",
            "1#SCR脱硝系统",
        ),
        _t("1#电除尘器", 1800, Node("高压电源", 1800)),
        _t(
            "1#脱硫塔",
            3550,
            Node("浆液循环泵", 1000, "浆液循环泵"),
            Node("备用浆液循环泵", 1000, "浆液循环泵"),
            Node("氧化风机", 560),
        ),
        _t("1#SCR脱硝系统", 200, Node("稀释风机", 90)),
    ),
    "coking": (
        _p("1#焦炉", "炼焦工序", 800, (Node("推焦机", 250),), "焦炉烟气脱硫脱硝系统", "装煤出焦地面站除尘器"),
        _t("焦炉烟气脱硫脱硝系统", 560, Node("增压风机", 450)),
        _t("装煤出焦地面站除尘器", 1600, Node("除尘风机", 1600)),
    ),
    "dust_simple": (
        _p("颚式破碎机", "破碎工序", 160, (Node("主电机", 132),), "破碎布袋除尘器"),
        _p("振动筛分机", "筛分工序", 37, (Node("振动电机", 30),), "筛分布袋除尘器"),
        _t("破碎布袋除尘器", 45, *_fan(45)),
        _t("筛分布袋除尘器", 22, *_fan(22)),
    ),
    "scrubber": (
        _p("转鼓", "鞣制工序", 75, (Node("主电机", 55),), "废气喷淋塔"),
        _p("磨革机", "整理工序", 45, (Node("主电机", 37),), "磨革机布袋除尘器"),
        _t("废气喷淋塔", 30, Node("循环泵", 11), *_fan(18.5)),
        _t("磨革机布袋除尘器", 22, *_fan(22)),
    ),
    "pharma": (
        _p("发酵罐", "发酵工序", 250, (Node("搅拌电机", 200),), "发酵废气喷淋塔"),
        _p("喷雾干燥机", "干燥工序", 90, (Node("热风机", 55),), "制药废气RTO"),
        _t("发酵废气喷淋塔", 37, Node("循环泵", 15), *_fan(22)),
        _t("制药废气RTO", 110, Node("主风机", 90)),
    ),
    "incineration": (
        _p(
            "1#焚烧炉",
            "焚烧工序",
            1100,
            (Node("一次风机", 315), Node("炉排液压站", 45)),
            "半干法脱酸塔",
            "焚烧烟气布袋除尘器",
            "焚烧SNCR脱硝系统",
        ),
        _t("半干法脱酸塔", 90, Node("石灰浆泵", 15), Node("雾化器", 75)),
        _t("焚烧烟气布袋除尘器", 710, *_fan(710)),
        _t("焚烧SNCR脱硝系统", 15, Node("氨水泵", 7.5)),
    ),
    "carbon": (
        _p("环式焙烧炉", "焙烧工序", 450, (Node("排烟风机", 250),), "焙烧烟气电捕焦油器", "焙烧烟气脱硫塔"),
        _t("焙烧烟气电捕焦油器", 60, Node("高压电源", 60)),
        _t("焙烧烟气脱硫塔", 150, Node("循环泵", 75)),
    ),
    "refinery": (
        _p("催化裂化装置", "炼油工序", 8000, (Node("主风机", 6000),), "再生烟气脱硫塔"),
        _t("再生烟气脱硫塔", 450, Node("循环泵", 250, "循环泵"), Node("备用循环泵", 250, "循环泵")),
    ),
}

_TEMPLATE_OF = {
    "新型建材": "brick", "钢铁": "steel", "铸造": "casting", "化肥": "dust_simple", "化工": "chemical",
    "农药": "chemical", "皮革": "scrubber", "橡胶": "rubber", "塑料": "plastics", "工业涂装": "coating",
    "包装印刷": "printing", "焦化": "coking", "矿山开采": "dust_simple", "畜禽养殖": "dust_simple",
    "生物发电": "boiler", "水泥": "cement", "玻璃": "glass", "电力": "power", "石化": "refinery",
    "碳素": "carbon", "制药": "pharma", "垃圾焚烧": "incineration", "其他": "scrubber",
}  # fmt: skip


@dataclass(frozen=True)
class DemoEnterprise:
    name: str
    county_code: str
    industry: str
    category: str = "一般企业"
    template: str | None = None  # None: the industry's template
    power_plant_300mw: bool = False

    @property
    def layout(self) -> tuple[Unit, ...]:
        return TEMPLATES[self.template or _TEMPLATE_OF[self.industry]]


# (seat longitude, latitude, postcode, a road of its industrial area)
COUNTY_SEATS: dict[str, tuple[float, float, str, str]] = {
    "130902": (116.87, 38.32, "061000", "新华区工业园区渤海路"),
    "130903": (116.84, 38.29, "061000", "运河区小王庄镇工业街"),
    "130921": (116.75, 38.25, "061000", "沧县经济开发区纬四路"),
    "130922": (116.80, 38.58, "062650", "青县经济开发区盘古大道"),
    "130923": (116.54, 37.89, "061600", "东光县经济开发区迎宾路"),
    "130924": (117.50, 38.14, "061200", "海兴县经济开发区香坊路"),
    "130925": (117.23, 38.06, "061300", "盐山县经济开发区千童大道"),
    "130926": (115.83, 38.42, "062350", "肃宁县经济开发区商贸路"),
    "130927": (116.71, 38.04, "061500", "南皮县经济开发区黑龙港路"),
    "130928": (116.39, 37.63, "061800", "吴桥县经济开发区杂技大道"),
    "130929": (116.12, 38.19, "062250", "献县经济开发区乐寿大街"),
    "130930": (117.10, 38.05, "061400", "孟村县经济开发区京德路"),
    "130981": (116.57, 38.08, "062150", "泊头市经济开发区交河路"),
    "130982": (116.10, 38.71, "062550", "任丘市经济开发区会战道"),
    "130983": (117.33, 38.37, "061100", "黄骅市临港经济技术开发区海丰路"),
    "130984": (116.09, 38.44, "062450", "河间市经济开发区瀛州路"),
}

ENTERPRISES: tuple[DemoEnterprise, ...] = (
    DemoEnterprise("沧州市华信陶瓷有限公司", "130902", "新型建材", "大中型企业", template="ceramics_notice"),
    DemoEnterprise("沧州恒达新型建材有限公司", "130921", "新型建材"),
    DemoEnterprise("河北鑫源新型墙材有限公司", "130929", "新型建材"),
    DemoEnterprise("沧州中铁装备制造材料有限公司", "130983", "钢铁", "国企"),
    DemoEnterprise("河北渤海钢铁集团有限公司", "130983", "钢铁", "大中型企业"),
    DemoEnterprise("泊头市金泰铸造有限公司", "130981", "铸造"),
    DemoEnterprise("泊头市宏远机床铸件有限公司", "130981", "铸造"),
    DemoEnterprise("沧县永盛铸业有限公司", "130921", "铸造"),
    DemoEnterprise("河北瑞丰化肥有限公司", "130924", "化肥", "大中型企业"),
    DemoEnterprise("沧州临港天成化工有限公司", "130983", "化工", "大中型企业"),
    DemoEnterprise("沧州博远精细化工有限公司", "130983", "化工"),
    DemoEnterprise("河北国润化学有限公司", "130903", "化工"),
    DemoEnterprise("沧州海泰农化有限公司", "130983", "农药"),
    DemoEnterprise("献县聚鑫皮革制品有限公司", "130929", "皮革"),
    DemoEnterprise("沧州立德橡胶制品有限公司", "130921", "橡胶"),
    DemoEnterprise("河北东方密封件有限公司", "130982", "橡胶"),
    DemoEnterprise("沧州冀盛塑业有限公司", "130930", "塑料"),
    DemoEnterprise("青县渤海塑料制品有限公司", "130922", "塑料"),
    DemoEnterprise("孟村运通管道防腐有限公司", "130930", "工业涂装"),
    DemoEnterprise("盐山县正大管件有限公司", "130925", "工业涂装"),
    DemoEnterprise("青县长城机箱有限公司", "130922", "工业涂装"),
    DemoEnterprise("东光县明珠包装印刷有限公司", "130923", "包装印刷"),
    DemoEnterprise("东光县新峰纸箱包装有限公司", "130923", "包装印刷"),
    DemoEnterprise("沧州福瑞彩印有限公司", "130903", "包装印刷"),
    DemoEnterprise("沧州旭阳焦化有限公司", "130921", "焦化", "大中型企业"),
    DemoEnterprise("任丘市泰和砂石有限公司", "130982", "矿山开采"),
    DemoEnterprise("肃宁县兴隆饲料养殖有限公司", "130926", "畜禽养殖"),
    DemoEnterprise("南皮县绿源生物质热电有限公司", "130927", "生物发电"),
    DemoEnterprise("黄骅市金隅水泥有限公司", "130983", "水泥", "国企"),
    DemoEnterprise("任丘市华北玻璃有限公司", "130982", "玻璃", "大中型企业"),
    DemoEnterprise("国能河北沧东发电有限责任公司", "130983", "电力", "央企", power_plant_300mw=True),
    DemoEnterprise("河北华润沧州热电有限公司", "130903", "电力", "国企"),
    DemoEnterprise("中国石化沧州炼化分公司", "130903", "石化", "央企"),
    DemoEnterprise("华北石化任丘炼化有限公司", "130982", "石化", "央企"),
    DemoEnterprise("河间市恒泰碳素有限公司", "130984", "碳素"),
    DemoEnterprise("沧州康达制药有限公司", "130902", "制药"),
    DemoEnterprise("沧州市绿能垃圾焚烧发电有限公司", "130921", "垃圾焚烧", "国企"),
    DemoEnterprise("海兴县宏达金属表面处理有限公司", "130924", "其他"),
    DemoEnterprise("吴桥县金鼎五金制品有限公司", "130928", "其他"),
    DemoEnterprise("河间市鑫达汽车配件有限公司", "130984", "工业涂装"),
    DemoEnterprise("河间市瀛洲玻璃制品有限公司", "130984", "玻璃"),
    DemoEnterprise("肃宁县宏图毛皮加工有限公司", "130926", "皮革"),
    DemoEnterprise("南皮县金泰五金冲压有限公司", "130927", "铸造"),
    DemoEnterprise("吴桥县永安铸造有限公司", "130928", "铸造"),
    DemoEnterprise("盐山县天宇管道有限公司", "130925", "钢铁"),
    DemoEnterprise("孟村回族自治县华通弯头管件有限公司", "130930", "铸造"),
    DemoEnterprise("黄骅市渤海模具有限公司", "130983", "铸造"),
    DemoEnterprise("献县兴达纸制品有限公司", "130929", "包装印刷"),
    DemoEnterprise("泊头市星光环保设备有限公司", "130981", "工业涂装"),
    DemoEnterprise("沧州市运河区鼎盛彩钢有限公司", "130903", "新型建材"),
)


@dataclass(frozen=True)
class DemoVendor:
    """A technical unit (技术单位) of the demo city: who builds installations (建设厂商) or operates them
    (第三方运营商)."""

    name: str
    county_code: str  # where it is registered: the credit code's area code
    contact_name: str
    contact_phone: str
    address: str


# 建设厂商: enterprise i was built by BUILDERS[i % 4].
BUILDERS: tuple[DemoVendor, ...] = (
    DemoVendor("河北中科智联环保设备有限公司", "130902", "孙立军", "0317-2158801", "河北省沧州市新华区渤海路88号"),
    DemoVendor("沧州恒信电气安装工程有限公司", "130903", "马国庆", "0317-2219902", "河北省沧州市运河区光荣路126号"),
    DemoVendor("河北渤海智能计量科技有限公司", "130983", "郭振宇", "0317-5361103", "河北省黄骅市海丰路57号"),
    DemoVendor("泊头市昊天环保工程有限公司", "130981", "高文静", "0317-8172204", "河北省泊头市交河路203号"),
)

# 第三方运营商: enterprise i is operated by OPERATORS[i % 3] (the operator named in its registration), once installed.
OPERATORS: tuple[DemoVendor, ...] = (
    DemoVendor("沧州蓝天环境监测技术有限公司", "130902", "韩晓东", "0317-3021105", "河北省沧州市新华区永济路19号"),
    DemoVendor("河北智慧环保科技有限公司", "130921", "许春燕", "0317-3052206", "河北省沧县经济开发区纬四路66号"),
    DemoVendor("沧州市清源环境工程有限公司", "130903", "冯建军", "0317-3083307", "河北省沧州市运河区北环路31号"),
)
