class BackfillWidgetSkus < ActiveRecord::Migration[6.1]
  def up
    add_column :widgets, :sku, :string
    execute <<~SQL
      UPDATE widgets SET sku = 'W-' || widget_code
    SQL
  end

  def down
    remove_column :widgets, :sku
  end
end
