package dev.nificdc.registry.configindex;

import apicurio.common.app.components.config.index.DynamicPropertiesInfoRecorder;
import io.apicurio.common.apps.config.Dynamic;
import io.apicurio.common.apps.config.DynamicConfigPropertyDef;
import io.apicurio.common.apps.config.DynamicConfigPropertyList;
import io.quarkus.arc.deployment.BeanDiscoveryFinishedBuildItem;
import io.quarkus.arc.deployment.SyntheticBeanBuildItem;
import io.quarkus.arc.processor.InjectionPointInfo;
import io.quarkus.deployment.annotations.BuildProducer;
import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.annotations.ExecutionTime;
import io.quarkus.deployment.annotations.Record;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.AnnotationValue;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Type;

import java.util.ArrayList;
import java.util.List;

/**
 * Quarkus build steps: every {@code @ConfigProperty @Dynamic Supplier<T>} field of the application becomes an entry of
 * the {@link DynamicConfigPropertyList} bean that Apicurio's runtime reads (the registry's dynamic settings).
 */
public class DynamicConfigIndexSteps {
    private static final DotName CONFIG_PROPERTY = DotName.createSimple("org.eclipse.microprofile.config.inject.ConfigProperty");
    private static final DotName DYNAMIC = DotName.createSimple(Dynamic.class.getName());

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem("nifi-cdc-config-index");
    }

    @BuildStep
    @Record(ExecutionTime.RUNTIME_INIT)
    void dynamicPropertyList(DynamicPropertiesInfoRecorder recorder, BeanDiscoveryFinishedBuildItem discovery,
                             BuildProducer<SyntheticBeanBuildItem> beans) throws ClassNotFoundException {
        List<DynamicConfigPropertyDef> definitions = new ArrayList<>();
        for (InjectionPointInfo injectionPoint : discovery.getInjectionPoints()) {
            AnnotationInstance config = injectionPoint.getRequiredQualifier(CONFIG_PROPERTY);
            if (config == null || !injectionPoint.isField()) {
                continue;
            }
            AnnotationInstance dynamic = injectionPoint.getTarget().asField().annotation(DYNAMIC);
            if (dynamic != null) {
                definitions.add(definition(config, dynamic, injectionPoint));
            }
        }
        beans.produce(SyntheticBeanBuildItem.configure(DynamicConfigPropertyList.class)
                .runtimeValue(recorder.initializePropertiesInfo(definitions))
                .unremovable()
                .setRuntimeInit()
                .done());
    }

    private static DynamicConfigPropertyDef definition(AnnotationInstance config, AnnotationInstance dynamic, InjectionPointInfo injectionPoint)
            throws ClassNotFoundException {
        String name = config.value("name").asString();
        AnnotationValue defaultValue = config.value("defaultValue");
        if (defaultValue == null) {
            throw new IllegalStateException("Dynamic configuration property '" + name + "' has no default value");
        }
        // The field is a Supplier<T>: T is the property's type.
        Type valueType = injectionPoint.getRequiredType().asParameterizedType().arguments().get(0);
        Class<?> type = Class.forName(valueType.name().toString(), false, Thread.currentThread().getContextClassLoader());
        DynamicConfigPropertyDef definition = new DynamicConfigPropertyDef(name, type, defaultValue.asString());
        if (dynamic.value("label") != null) {
            definition.setLabel(dynamic.value("label").asString());
        }
        if (dynamic.value("description") != null) {
            definition.setDescription(dynamic.value("description").asString());
        }
        if (dynamic.value("requires") != null) {
            definition.setRequires(dynamic.value("requires").asStringArray());
        }
        return definition;
    }
}
